package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValueType;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The retention policy of one catalogue of one server (the local Barman catalogue, or its copy in the bucket: each
 * has its own). Checked when built: a bad value or a bad combination throws a {@link Category#CONFIG} error that
 * names the key.
 *
 * @param recoveryWindow    point-in-time recovery to any moment of the last {@code recoveryWindow}, or empty (off)
 * @param keepDaily         newest backup of each of the last N days that have one (counted as {@code borg prune})
 * @param keepWeekly        ... of N ISO weeks (Monday to Sunday, ISO week-based year)
 * @param keepMonthly       ... of N months
 * @param keepYearly        ... of N years
 * @param minimumRedundancy the newest N DONE backups are never deleted (0: only the newest DONE one)
 * @param maxDeletesPerRun  a run that would delete more than this deletes nothing (at least 1)
 * @param zone              the zone in which days, weeks, months and years are counted (the server's)
 */
public record RetentionPolicy(Optional<Duration> recoveryWindow, int keepDaily, int keepWeekly, int keepMonthly,
                              int keepYearly, int minimumRedundancy, int maxDeletesPerRun, ZoneId zone) {

    /** The shortest recovery window accepted: anything shorter is most likely a unit mistake ("1m" is a minute). */
    public static final Duration MIN_WINDOW = Duration.ofHours(1);

    public static final String RECOVERY_WINDOW = "recovery-window";
    public static final String KEEP_DAILY = "keep-daily";
    public static final String KEEP_WEEKLY = "keep-weekly";
    public static final String KEEP_MONTHLY = "keep-monthly";
    public static final String KEEP_YEARLY = "keep-yearly";
    public static final String MINIMUM_REDUNDANCY = "minimum-redundancy";
    public static final String MAX_DELETES_PER_RUN = "max-deletes-per-run";

    public RetentionPolicy {
        recoveryWindow = recoveryWindow == null ? Optional.empty() : recoveryWindow;
        List<String> problems = problems(recoveryWindow, keepDaily, keepWeekly, keepMonthly, keepYearly,
                minimumRedundancy, maxDeletesPerRun, zone);
        if (!problems.isEmpty()) {
            throw new BarmandException(Category.CONFIG, String.join("\n", problems));
        }
    }

    /** The policy, checked: a bad value or combination throws {@link Category#CONFIG} naming the key(s). */
    public static RetentionPolicy of(Optional<Duration> recoveryWindow, int keepDaily, int keepWeekly, int keepMonthly,
                                     int keepYearly, int minimumRedundancy, int maxDeletesPerRun, ZoneId zone) {
        return new RetentionPolicy(recoveryWindow, keepDaily, keepWeekly, keepMonthly, keepYearly, minimumRedundancy,
                maxDeletesPerRun, zone);
    }

    /**
     * Reads a policy from a block holding the seven keys {@code recovery-window} ("off" or a duration such as 7d),
     * {@code keep-daily}, {@code keep-weekly}, {@code keep-monthly}, {@code keep-yearly}, {@code minimum-redundancy}
     * and {@code max-deletes-per-run}. Problems are added to {@code problems} as "KEY: what is wrong (line N)", KEY
     * being {@code keyPrefix.key}; nothing is thrown. Returns null when there was a problem, or when {@code zone} is
     * null (a bad time zone is reported where it is read).
     * <p>
     * For the layout {@code retention { local { ... }, s3 { ... }, minimum-redundancy, max-deletes-per-run }}, pass
     * {@code retention.getConfig("local").withFallback(retention)}: the shared keys then come from the outer block
     * unless the inner one sets them. A problem with a shared key is then reported under the inner block's prefix.
     */
    public static RetentionPolicy read(Config block, String keyPrefix, ZoneId zone, List<String> problems) {
        String k = keyPrefix == null || keyPrefix.isEmpty() ? "" : keyPrefix + ".";
        int before = problems.size();
        Optional<Duration> window = Optional.empty();
        if (!block.hasPath(RECOVERY_WINDOW)) {
            problems.add(k + RECOVERY_WINDOW + ": missing (\"off\" or a duration such as 7d)");
        } else if (block.getValue(RECOVERY_WINDOW).valueType() == ConfigValueType.STRING
                && block.getString(RECOVERY_WINDOW).trim().equalsIgnoreCase("off")) {
            window = Optional.empty();
        } else {
            try {
                window = Optional.of(block.getDuration(RECOVERY_WINDOW));
            } catch (ConfigException e) {
                problems.add(k + RECOVERY_WINDOW + ": must be \"off\" or a duration such as 7d, is "
                        + block.getValue(RECOVERY_WINDOW).render() + line(block.getValue(RECOVERY_WINDOW).origin()));
            }
        }
        int daily = integer(block, KEEP_DAILY, k, problems);
        int weekly = integer(block, KEEP_WEEKLY, k, problems);
        int monthly = integer(block, KEEP_MONTHLY, k, problems);
        int yearly = integer(block, KEEP_YEARLY, k, problems);
        int redundancy = integer(block, MINIMUM_REDUNDANCY, k, problems);
        int maxDeletes = integer(block, MAX_DELETES_PER_RUN, k, problems);
        // the values that did read are checked too, so that every problem is named at once
        java.util.Set<String> unread = new java.util.HashSet<>();
        for (String p : problems.subList(before, problems.size())) {
            unread.add(p.substring(k.length(), p.indexOf(':')));
        }
        List<String> found = problems(window, daily, weekly, monthly, yearly, redundancy,
                unread.contains(MAX_DELETES_PER_RUN) ? 1 : maxDeletes, zone == null ? ZoneId.of("UTC") : zone);
        for (String p : found) {
            String key = p.substring(0, p.indexOf(':'));
            boolean combination = key.equals(RECOVERY_WINDOW) && p.contains("would keep only the newest");
            if (unread.contains(key) || (combination && !unread.isEmpty())) {
                continue;
            }
            problems.add(k + p + (block.hasPath(key) ? line(block.getValue(key).origin()) : ""));
        }
        if (problems.size() > before || zone == null) {
            return null;
        }
        return new RetentionPolicy(window, daily, weekly, monthly, yearly, redundancy, maxDeletes, zone);
    }

    /** Every problem of these values, each "KEY: what is wrong". */
    public static List<String> problems(Optional<Duration> window, int daily, int weekly, int monthly, int yearly,
                                 int redundancy, int maxDeletes, ZoneId zone) {
        List<String> p = new ArrayList<>();
        Objects.requireNonNull(window, "recoveryWindow");
        window.ifPresent(w -> {
            if (w.compareTo(MIN_WINDOW) < 0) {
                p.add(RECOVERY_WINDOW + ": must be at least 1h or \"off\", is " + words(w)
                        + " (in HOCON m means minutes and a bare number milliseconds: write 7d, or 30d for a month)");
            }
        });
        atLeast(p, KEEP_DAILY, daily, 0);
        atLeast(p, KEEP_WEEKLY, weekly, 0);
        atLeast(p, KEEP_MONTHLY, monthly, 0);
        atLeast(p, KEEP_YEARLY, yearly, 0);
        atLeast(p, MINIMUM_REDUNDANCY, redundancy, 0);
        atLeast(p, MAX_DELETES_PER_RUN, maxDeletes, 1);
        if (zone == null) {
            p.add("zone: missing (the zone in which periods are counted)");
        }
        if (p.isEmpty() && window.isEmpty() && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0
                && redundancy < 2) {
            p.add(RECOVERY_WINDOW + ": is off, every keep-* is 0 and minimum-redundancy is " + redundancy
                    + ": the policy would keep only the newest backup; set a recovery window, a keep-* tier, or"
                    + " minimum-redundancy 2 or more (Barman's REDUNDANCY n)");
        }
        return p;
    }

    private static void atLeast(List<String> p, String key, int v, int min) {
        if (v < min) {
            p.add(key + ": must be " + min + " or more, is " + v);
        }
    }

    private static int integer(Config block, String key, String k, List<String> problems) {
        if (!block.hasPath(key)) {
            problems.add(k + key + ": missing (a whole number)");
            return 0;
        }
        try {
            return block.getInt(key);
        } catch (ConfigException e) {
            problems.add(k + key + ": must be a whole number, is " + block.getValue(key).render()
                    + line(block.getValue(key).origin()));
            return 0;
        }
    }

    private static String line(ConfigOrigin o) {
        return o != null && o.lineNumber() > 0 ? " (line " + o.lineNumber() + ")" : "";
    }

    /** The window in words ("7d", "36h") or "off". */
    public String windowText() {
        return recoveryWindow.map(RetentionPolicy::words).orElse("off");
    }

    /** The policy in one line, for people. */
    public String summary() {
        return "recovery window " + windowText() + ", " + KEEP_DAILY + " " + keepDaily + ", " + KEEP_WEEKLY + " "
                + keepWeekly + ", " + KEEP_MONTHLY + " " + keepMonthly + ", " + KEEP_YEARLY + " " + keepYearly + ", "
                + MINIMUM_REDUNDANCY + " " + minimumRedundancy + ", " + MAX_DELETES_PER_RUN + " " + maxDeletesPerRun
                + " (periods in " + zone.getId() + ")";
    }

    /** A duration in the largest whole unit: 7d, 36h, 90m, 45s (else ISO-8601). */
    public static String words(Duration d) {
        long s = d.getSeconds();
        if (d.getNano() != 0 || s <= 0) {
            return d.toString().toLowerCase(Locale.ROOT).replace("pt", "");
        }
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
