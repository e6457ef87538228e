package io.barmand.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The configuration in code says what the logback.xml it replaces said. */
class LogSetupTest {
    @Test
    void oneJournalAppenderAtTheRootTheLevelsAndTheLineOfTheOldFile() {
        LoggerContext lc = new LoggerContext();
        assertThat(new LogSetup().configure(lc)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(lc.getLogger("org.quartz").getLevel()).isEqualTo(Level.WARN);
        assertThat(lc.getLogger("io.barmand").getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("OUT")).isInstanceOf(JournalAppender.class);
        JournalAppender out = (JournalAppender) root.getAppender("OUT");
        assertThat(out.isStarted()).isTrue();
        assertThat(out.getTarget()).isEqualTo("System.out");
        LoggingEvent e = new LoggingEvent("x", lc.getLogger("io.barmand.daemon.Daemon"), Level.INFO, "barmand {} ready", null,
                new Object[] {"0.1.0"});
        e.setThreadName("main");
        String line = new String(out.getEncoder().encode(e), StandardCharsets.UTF_8);
        // %jprefix: a timestamp off journald (the tests), the priority under it
        assertThat(line).matches("(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} |<6>)INFO  \\[main\\] Daemon: barmand 0\\.1\\.0 ready\\R");
    }

    @Test
    void theLevelAndTheTargetFromTheSystemPropertiesAsTheFileTookThem() {
        System.setProperty("barmand.log.level", "DEBUG");
        System.setProperty("barmand.log.target", "System.err");
        try {
            LoggerContext lc = new LoggerContext();
            new LogSetup().configure(lc);
            assertThat(lc.getLogger("io.barmand").getLevel()).isEqualTo(Level.DEBUG);
            assertThat(((JournalAppender) lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("OUT")).getTarget())
                    .isEqualTo("System.err");
        } finally {
            System.clearProperty("barmand.log.level");
            System.clearProperty("barmand.log.target");
        }
    }

    @Test
    void anAdminsOwnFileIsLeftToLogback() {
        System.setProperty("logback.configurationFile", "/etc/barmand/logback.xml");
        try {
            LoggerContext lc = new LoggerContext();
            assertThat(new LogSetup().configure(lc)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }

    @Test
    void logbackFindsIt() {
        // the test JVM's own logging was set up by it (no logback.xml left on the class path)
        LoggerContext lc = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        assertThat(lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("OUT")).isInstanceOf(JournalAppender.class);
        assertThat(getClass().getResource("/logback.xml")).isNull();
    }
}
