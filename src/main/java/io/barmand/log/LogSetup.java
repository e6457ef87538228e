package io.barmand.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Logback's configuration, found by logback through {@code META-INF/services} before it looks for a logback.xml: one
 * appender ({@link JournalAppender}). Under systemd (JOURNAL_STREAM names our stdout, as with the unit's
 * StandardOutput=journal) each event is sent to journald's native socket as one entry with fields (PRIORITY,
 * SYSLOG_IDENTIFIER=barmand, LOGGER, THREAD, EXCEPTION, and SERVER, JOB, RUN_ID, BACKUP_ID of the run that logged it),
 * so that {@code journalctl -u barmand SERVER=pg1 JOB=backup} works; barmand.log.output in the configuration chooses
 * (auto, journal, console). Elsewhere, or when the socket refuses an event, the console line
 * {@code %jprefix%-5level [%thread] %logger{0}: %msg%n}: under journald it starts with its syslog priority (<3> error,
 * <4> warning, <6> info, <7> debug) so that {@code journalctl -p err} shows errors, without a timestamp (journald adds
 * its own). An event goes one way only. Quartz logs warnings and errors, barmand from info on: raise its detail with
 * {@code -Dbarmand.log.level=DEBUG}.
 *
 * <p>In code rather than in a logback.xml: the XML reader (Joran, with the JDK's XML parser) loaded some 600 classes at
 * every start, a fifth of the daemon's start before its first line. A file of the admin's own
 * ({@code -Dlogback.configurationFile=...}) is still read: then this steps aside.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%jprefix%-5level [%thread] %logger{0}: %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext lc) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        // %jprefix: JournalPrefix, registered in the context as a <conversionRule> does
        @SuppressWarnings("unchecked")
        Map<String, Supplier<DynamicConverter>> rules =
                (Map<String, Supplier<DynamicConverter>>) lc.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            lc.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.put("jprefix", JournalPrefix::new);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(lc);
        encoder.setPattern(PATTERN);
        encoder.start();
        JournalAppender out = new JournalAppender();
        out.setContext(lc);
        out.setName("OUT");
        // System.err for `barmand restore` and `wal-restore`, whose stdout is their own (Main.main)
        out.setTarget(System.getProperty("barmand.log.target", "System.out"));
        out.setEncoder(encoder);
        out.start();
        lc.getLogger("org.quartz").setLevel(Level.WARN);
        lc.getLogger("io.barmand").setLevel(Level.toLevel(System.getProperty("barmand.log.level", "INFO")));
        ch.qos.logback.classic.Logger root = lc.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(out);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
