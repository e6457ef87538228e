package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code report}, {@code health} and {@code alerts} blocks: what the morning report covers, what counts as a
 * problem, and how alerts are paced.
 *
 * @param hostName the name in subjects and reports (report.host-name, or this host's name)
 * @param backupMaxAge the newest successful backup older than this is critical (empty = off)
 * @param walMaxAge the newest WAL Barman archived older than this is a warning (empty = off)
 * @param offsiteWalMaxAge the newest WAL uploaded to S3 longer ago than this is a warning (empty = off)
 * @param restoreTestMaxAge the last passed restore test older than this is a warning (empty = off)
 */
public record ReportSettings(Duration window, int trendDays, String hostName, Duration keep,
                             Optional<Duration> backupMaxAge, Optional<Duration> walMaxAge,
                             Optional<Duration> offsiteWalMaxAge, Optional<Duration> restoreTestMaxAge,
                             boolean alertsEnabled, Duration alertsInterval, int alertsMaxPerHour) {

    /** The defaults of reference.conf, for tests and tools. */
    public static ReportSettings defaults(String hostName) {
        return new ReportSettings(Duration.ofHours(24), 14, hostName, Duration.ofDays(30), Optional.of(Duration.ofHours(26)),
                Optional.of(Duration.ofHours(6)), Optional.of(Duration.ofHours(6)), Optional.of(Duration.ofDays(8)),
                true, Duration.ofMinutes(5), 10);
    }

    static ReportSettings read(Config c, String localHost, List<String> problems) {
        String r = Settings.ROOT + ".report.";
        String h = Settings.ROOT + ".health.";
        String a = Settings.ROOT + ".alerts.";
        Duration window = MailSettings.positive(c, "report.window", r + "window", problems);
        int trend = 14;
        try {
            trend = c.getInt("report.trend-days");
            if (trend < 1 || trend > 366) {
                problems.add(r + "trend-days: must be between 1 and 366, is " + trend);
            }
        } catch (ConfigException e) {
            problems.add(r + "trend-days: must be a number of days, e.g. 14");
        }
        String host = c.getString("report.host-name").trim();
        Duration keep = MailSettings.positive(c, "report.keep", r + "keep", problems);
        Optional<Duration> backup = MailSettings.optional(c, "health.backup-max-age", h + "backup-max-age", problems);
        Optional<Duration> wal = MailSettings.optional(c, "health.wal-max-age", h + "wal-max-age", problems);
        Optional<Duration> owal = MailSettings.optional(c, "health.offsite-wal-max-age", h + "offsite-wal-max-age", problems);
        Optional<Duration> rt = MailSettings.optional(c, "health.restore-test-max-age", h + "restore-test-max-age", problems);
        Duration interval = MailSettings.positive(c, "alerts.interval", a + "interval", problems);
        int perHour = 10;
        try {
            perHour = c.getInt("alerts.max-per-hour");
            if (perHour < 1 || perHour > 1000) {
                problems.add(a + "max-per-hour: must be between 1 and 1000, is " + perHour);
            }
        } catch (ConfigException e) {
            problems.add(a + "max-per-hour: must be a number, e.g. 10");
        }
        boolean enabled = true;
        try {
            enabled = c.getBoolean("alerts.enabled");
        } catch (ConfigException e) {
            problems.add(a + "enabled: must be true or false");
        }
        return new ReportSettings(window, trend, host.isEmpty() ? localHost : host, keep, backup, wal, owal, rt, enabled,
                interval, perHour);
    }
}
