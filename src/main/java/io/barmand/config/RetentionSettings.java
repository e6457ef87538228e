package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The retention block of one server: its policy for Barman's catalogue and, when offsite is on, for the bucket.
 *
 * @param local       the policy of the local Barman catalogue
 * @param s3          the policy of the copies in the bucket; empty when offsite is off
 * @param afterBackup a run follows each successful backup (after its offsite copy)
 * @param newestBackupMaxAge nothing is deleted when the newest DONE backup ended longer ago than this (a clock that
 *                    jumped forward, or backups that stopped); empty: "off"
 */
public record RetentionSettings(RetentionPolicy local, Optional<RetentionPolicy> s3, boolean afterBackup,
                                Optional<Duration> newestBackupMaxAge) {
    public static final String NEWEST_BACKUP_MAX_AGE = "newest-backup-max-age";
    /** "auto" is this many times the backup schedule's longest interval... */
    static final int AUTO_INTERVALS = 3;
    /** ... and at least this (a backup that runs late or long is no reason to refuse). */
    static final Duration AUTO_AT_LEAST = Duration.ofDays(1);
    /** "auto" without a backup schedule (backups taken by hand or by another scheduler). */
    static final Duration AUTO_UNSCHEDULED = Duration.ofDays(3);

    public RetentionSettings {
        newestBackupMaxAge = newestBackupMaxAge == null ? Optional.empty() : newestBackupMaxAge;
    }

    /** Settings without the old-backup guard (tests). */
    public RetentionSettings(RetentionPolicy local, Optional<RetentionPolicy> s3, boolean afterBackup) {
        this(local, s3, afterBackup, Optional.empty());
    }

    /**
     * Reads {@code retention} of a server block (defaults merged); problems are added as "KEY: what (line N)".
     * Empty when retention is off or there was a problem.
     */
    static Optional<RetentionSettings> read(Config server, String keyPath, ZoneId zone, boolean offsiteOn,
                                            Optional<Schedule> backupSchedule, List<String> problems) {
        Config r = server.getConfig("retention");
        if (!r.getBoolean("enabled")) {
            return Optional.empty();
        }
        String k = keyPath + ".retention";
        int before = problems.size();
        List<String> found = new ArrayList<>();
        RetentionPolicy local = RetentionPolicy.read(r.getConfig("local").withFallback(r), k + ".local", zone, found);
        RetentionPolicy s3 = offsiteOn ? RetentionPolicy.read(r.getConfig("s3").withFallback(r), k + ".s3", zone, found) : null;
        Optional<Duration> maxAge = newestBackupMaxAge(r, k, backupSchedule, found);
        problems.addAll(found);
        if (problems.size() > before || local == null || (offsiteOn && s3 == null)) {
            return Optional.empty();
        }
        return Optional.of(new RetentionSettings(local, Optional.ofNullable(s3), r.getBoolean("after-backup"), maxAge));
    }

    /**
     * {@code newest-backup-max-age}: "off", "auto" ({@value #AUTO_INTERVALS} x the longest interval between two fire
     * times of the backup schedule, at least 1 day; 3 days when backups are not scheduled), or a duration of at
     * least 1h and at least the backup schedule's longest interval (shorter, every run between two backups would
     * refuse).
     */
    static Optional<Duration> newestBackupMaxAge(Config r, String k, Optional<Schedule> backupSchedule, List<String> problems) {
        String key = k + "." + NEWEST_BACKUP_MAX_AGE;
        if (!r.hasPath(NEWEST_BACKUP_MAX_AGE)) {
            problems.add(key + ": missing (\"auto\", \"off\" or a duration such as 3d)");
            return Optional.empty();
        }
        var v = r.getValue(NEWEST_BACKUP_MAX_AGE);
        String at = v.origin() != null && v.origin().lineNumber() > 0 ? " (line " + v.origin().lineNumber() + ")" : "";
        Optional<Duration> interval = backupSchedule.map(RetentionSettings::longestInterval);
        if (v.valueType() == ConfigValueType.STRING && r.getString(NEWEST_BACKUP_MAX_AGE).strip().equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        if (v.valueType() == ConfigValueType.STRING && r.getString(NEWEST_BACKUP_MAX_AGE).strip().equalsIgnoreCase("auto")) {
            Duration d = interval.map(i -> i.multipliedBy(AUTO_INTERVALS)).orElse(AUTO_UNSCHEDULED);
            return Optional.of(d.compareTo(AUTO_AT_LEAST) < 0 ? AUTO_AT_LEAST : d);
        }
        Duration d;
        try {
            d = r.getDuration(NEWEST_BACKUP_MAX_AGE);
        } catch (ConfigException e) {
            problems.add(key + ": must be \"auto\", \"off\" or a duration such as 3d, is " + v.render() + at);
            return Optional.empty();
        }
        if (d.compareTo(RetentionPolicy.MIN_WINDOW) < 0) {
            problems.add(key + ": must be at least 1h, \"auto\" or \"off\", is " + RetentionPolicy.words(d)
                    + " (in HOCON m means minutes and a bare number milliseconds: write 3d)" + at);
            return Optional.empty();
        }
        if (interval.isPresent() && d.compareTo(interval.get()) < 0) {
            problems.add(key + ": " + RetentionPolicy.words(d) + " is shorter than the backup schedule's longest interval "
                    + RetentionPolicy.words(interval.get()) + ": every run between two backups would refuse (\"auto\" is "
                    + AUTO_INTERVALS + " intervals)" + at);
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** The longest time between two fire times of a schedule, over a year of them from 2026-01-01 (DST, weekdays). */
    static Duration longestInterval(Schedule s) {
        Instant t = s.next(Instant.parse("2026-01-01T00:00:00Z")).orElse(null);
        Instant end = Instant.parse("2027-01-01T00:00:00Z");
        Duration longest = Duration.ZERO;
        for (int i = 0; t != null && t.isBefore(end) && i < 100_000; i++) {
            Instant next = s.next(t).orElse(null);
            if (next == null) {
                break;
            }
            Duration d = Duration.between(t, next);
            longest = d.compareTo(longest) > 0 ? d : longest;
            t = next;
        }
        return longest.isZero() ? Duration.ofDays(365) : longest;
    }
}
