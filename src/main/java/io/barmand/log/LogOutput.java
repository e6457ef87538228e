package io.barmand.log;

import java.util.Locale;

/** Where log lines go (barmand.log.output): journald's native protocol, stdout, or the one that fits. */
public enum LogOutput {
    /** the journal natively when stdout or stderr is the journal (JOURNAL_STREAM, as under the unit), else console */
    AUTO,
    /** the journal natively whenever its socket exists, wherever stdout goes */
    JOURNAL,
    /** stdout (stderr for restore and wal-restore), each line with its syslog priority under journald */
    CONSOLE;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The output named {@code s} (auto, journal, console), or null. */
    public static LogOutput of(String s) {
        for (LogOutput o : values()) {
            if (o.word().equalsIgnoreCase(s.trim())) {
                return o;
            }
        }
        return null;
    }
}
