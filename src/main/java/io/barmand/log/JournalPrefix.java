package io.barmand.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Logback converter {@code %jprefix}: under systemd (env JOURNAL_STREAM set) the syslog priority that journald
 * reads from the start of a line ({@code <3>} error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug), so
 * that {@code journalctl -p err} works; elsewhere a timestamp (journald stamps lines itself).
 */
public class JournalPrefix extends ClassicConverter {
    private static final boolean JOURNAL = underJournald();
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS ").withZone(ZoneId.systemDefault());

    public static boolean underJournald() {
        String js = System.getenv("JOURNAL_STREAM");
        return js != null && !js.isBlank();
    }

    public static String priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "<3>";
            case Level.WARN_INT -> "<4>";
            case Level.INFO_INT -> "<6>";
            default -> "<7>";
        };
    }

    @Override
    public String convert(ILoggingEvent e) {
        return JOURNAL ? priority(e.getLevel()) : TS.format(java.time.Instant.ofEpochMilli(e.getTimeStamp()));
    }
}
