package io.barmand.vocabulary;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Time as barmand shows it to a person, made here only: an instant in a zone (the server's configured
 * {@code timezone}, else the host's), to the second, with the zone's abbreviation, {@code 2026-12-08 03:30:00 CET};
 * a duration as people write it, {@code 6h}, {@code 2m 30s}, {@code 1d 4h}. JSON keeps ISO-8601 UTC
 * ({@link Instant#toString()}), never these.
 */
public final class TimeText {
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss zzz", Locale.ROOT);

    private TimeText() {
    }

    /** {@code 2026-12-08 03:30:00 CET}; "-" for null. */
    public static String at(Instant i, ZoneId zone) {
        return i == null ? "-" : AT.format(i.atZone(zone));
    }

    /** The formatter of {@link #at} in {@code zone}, for a class that formats many instants in one zone. */
    public static DateTimeFormatter formatter(ZoneId zone) {
        return AT.withZone(zone);
    }

    /** {@link #at} in the host's zone. */
    public static String at(Instant i) {
        return at(i, ZoneId.systemDefault());
    }

    /**
     * {@code 45s}, {@code 2m 30s}, {@code 6h}, {@code 3h 5m}, {@code 2d 4h}: the two largest units that are not zero
     * (seconds dropped from an hour on, minutes from a day on); below a second, {@code 0.4s}; "-" for null.
     */
    public static String duration(Duration d) {
        if (d == null) {
            return "-";
        }
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        long s = d.getSeconds();
        if (s == 0) {
            long ms = d.toMillis();
            return ms == 0 ? "0s" : String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long days = s / 86400;
        long h = s % 86400 / 3600;
        long m = s % 3600 / 60;
        long sec = s % 60;
        if (days > 0) {
            return days + "d" + (h > 0 ? " " + h + "h" : "");
        }
        if (h > 0) {
            return h + "h" + (m > 0 ? " " + m + "m" : "");
        }
        if (m > 0) {
            return m + "m" + (sec > 0 ? " " + sec + "s" : "");
        }
        return sec + "s";
    }

    /** A duration of milliseconds ({@link #duration(Duration)}); "-" for null. */
    public static String millis(Long ms) {
        return ms == null ? "-" : duration(Duration.ofMillis(ms));
    }

    /** {@code 3h 5m ago} or {@code in 3h 5m}, from {@code now}; "-" for null. */
    public static String relative(Instant i, Instant now) {
        if (i == null) {
            return "-";
        }
        Duration d = Duration.between(i, now);
        return d.isNegative() ? "in " + duration(d.negated()) : duration(d) + " ago";
    }
}
