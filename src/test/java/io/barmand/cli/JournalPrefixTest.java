package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.barmand.log.JournalPrefix;
import org.junit.jupiter.api.Test;

class JournalPrefixTest {
    @Test
    void syslogPrioritiesForJournald() {
        assertThat(JournalPrefix.priority(Level.ERROR)).isEqualTo("<3>");
        assertThat(JournalPrefix.priority(Level.WARN)).isEqualTo("<4>");
        assertThat(JournalPrefix.priority(Level.INFO)).isEqualTo("<6>");
        assertThat(JournalPrefix.priority(Level.DEBUG)).isEqualTo("<7>");
        assertThat(JournalPrefix.priority(Level.TRACE)).isEqualTo("<7>");
    }
}
