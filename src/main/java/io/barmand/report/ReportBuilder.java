package io.barmand.report;

import io.barmand.history.FactNames;
import io.barmand.config.JobKind;
import io.barmand.config.ServerSettings;
import io.barmand.health.Health;
import io.barmand.health.HealthReport;
import io.barmand.health.Missed;
import io.barmand.health.ServerHealth;
import io.barmand.history.Outcome;
import io.barmand.history.RunHistory;
import io.barmand.history.RunRecord;
import io.barmand.mail.Outbox;
import io.barmand.report.ReportData.Backup;
import io.barmand.report.ReportData.Check;
import io.barmand.report.ReportData.Disk;
import io.barmand.report.ReportData.MailNote;
import io.barmand.report.ReportData.Offsite;
import io.barmand.report.ReportData.Point;
import io.barmand.report.ReportData.RestoreTest;
import io.barmand.report.ReportData.ServerLine;
import io.barmand.report.ReportData.Trend;
import io.barmand.report.ReportData.Trouble;
import io.barmand.report.ReportData.TroubleGroup;
import io.barmand.health.Restorability;
import java.util.function.Supplier;
import io.barmand.vocabulary.RestoreSource;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Gathers the report's data from the health evaluation and the history: no text here. */
public final class ReportBuilder {
    /** What retention does for a server whose retention barmand does not enforce, by Barman's retention_policy. */
    static String barmanRetention(Optional<String> policy) {
        return policy.map(p -> "barmand deletes no backup: Barman's retention_policy '" + p + "' applies (barman cron)")
                .orElse("barmand deletes no backup, and Barman's retention_policy is not set: every backup is kept until "
                        + "deleted by hand (barmand's retention: docs/retention.md)");
    }

    private final String host;
    private final Map<String, ServerSettings> servers;
    private final RunHistory history;
    private final int trendDays;
    private final Supplier<Map<String, Optional<String>>> barmanPolicies;

    /** @param barmanPolicies Barman's retention_policy of each server (it may throw: then unknown) */
    public ReportBuilder(String host, Map<String, ServerSettings> servers, RunHistory history, int trendDays,
                         Supplier<Map<String, Optional<String>>> barmanPolicies) {
        this.host = host;
        this.servers = servers;
        this.history = history;
        this.trendDays = trendDays;
        this.barmanPolicies = barmanPolicies;
    }

    /**
     * @param health the evaluation at the report's instant, over its window
     * @param since the window's start
     * @param folders the folders whose free space is reported, by label ("Barman home", "scratch", ...)
     * @param pending the mails still in the outbox
     */
    public ReportData build(HealthReport health, Instant since, Map<String, Path> folders, List<Outbox.Delivery> pending) {
        Instant now = health.at();
        List<ServerLine> lines = new ArrayList<>();
        List<Trend> trends = new ArrayList<>();
        for (ServerHealth sh : health.servers()) {
            lines.add(line(sh, now));
            trends.add(trend(sh.server(), now));
        }
        List<Trouble> troubles = new ArrayList<>();
        for (RunRecord r : history.troubles(since, now)) {
            String err = r.error() != null ? r.error()
                    : r.failedChecks().isEmpty() ? r.detail() : "failed checks: " + String.join(", ", r.failedChecks());
            troubles.add(new Trouble(r.server(), r.job(), r.outcome().word(), r.started(), r.id(), r.trigger().word(),
                    r.attempt(), err));
        }
        for (Missed m : health.missed()) {
            if (!m.fireTime().isBefore(since)) {
                troubles.add(new Trouble(m.server(), m.job().id(), "missed", m.fireTime(), 0, "scheduled", 1,
                        "no run at this fire time" + (m.schedule().equals(m.job().id()) ? "" : " of its schedule from S3 ("
                        + m.job().id() + ".s3.schedule)") + " (barmand down, or its scheduler stalled)"));
            }
        }
        troubles.sort(Comparator.comparing(Trouble::at).thenComparing(Trouble::server).thenComparing(Trouble::job));
        List<MailNote> mail = pending.stream().map(d -> new MailNote(d.id(), d.subject(), d.attempts(), d.sent(), d.sentAt(),
                d.lastError())).toList();
        List<Restorability> restorability = health.servers().stream().map(ServerHealth::restorability).toList();
        return new ReportData(host, now, since, now, health.severity(), health.verdict(), restorability, lines,
                health.problems(), troubles, group(troubles), disks(folders), trends, mail, retention(health, since),
                hostTrend(trends), charted(restorability, troubles));
    }

    /** At most this many servers have a chart in a report (a chart is 15-25 KiB, a third more in a mail). */
    static final int MAX_CHARTS = 24;

    /**
     * The charts a report carries, by server ({@link ReportData#HOST}: the whole host's): the host's first, then one
     * per server that needs attention (not restorable, or with a failed, interrupted or missed run in the window),
     * the worst first (NOT restorable, at risk, failed or interrupted runs, missed runs only), at most
     * {@link #MAX_CHARTS}, so that the mail of 200 servers stays a mail however many are in trouble (a night the
     * daemon was down, every server missed its runs). A host of one server has its chart only.
     */
    static List<String> charted(List<Restorability> restorability, List<Trouble> troubles) {
        if (restorability.size() == 1) {
            return List.of(restorability.get(0).server());
        }
        Map<String, Integer> failing = new java.util.HashMap<>();
        for (Trouble t : troubles) {
            if (!t.what().equals(Outcome.SKIPPED.word())) {
                failing.merge(t.server(), t.what().equals("missed") ? 1 : 2, Math::max);
            }
        }
        List<Restorability> worst = new ArrayList<>();
        for (Restorability r : restorability) {
            if (rank(r, failing) > 0) {
                worst.add(r);
            }
        }
        // stable: servers of the same rank keep the report's order
        worst.sort(Comparator.comparingInt((Restorability r) -> -rank(r, failing)));
        List<String> out = new ArrayList<>();
        out.add(ReportData.HOST);
        worst.stream().limit(MAX_CHARTS).forEach(r -> out.add(r.server()));
        return out;
    }

    /** 0: needs no chart; 1 missed runs only; 2 failed or interrupted runs; 3 at risk; 4 NOT restorable. */
    private static int rank(Restorability r, Map<String, Integer> failing) {
        return switch (r.verdict()) {
            case NOT_RESTORABLE -> 4;
            case AT_RISK -> 3;
            case RESTORABLE -> failing.getOrDefault(r.server(), 0);
        };
    }

    /** The whole host's trend: per day (UTC), the sum of the backup sizes and the longest backup, the longest RTO. */
    static Trend hostTrend(List<Trend> trends) {
        java.util.TreeMap<Instant, double[]> backups = new java.util.TreeMap<>();
        java.util.TreeMap<Instant, Double> tests = new java.util.TreeMap<>();
        for (Trend t : trends) {
            for (Point p : t.backups()) {
                double[] a = backups.computeIfAbsent(p.at().truncatedTo(java.time.temporal.ChronoUnit.DAYS), k -> new double[2]);
                a[0] = Math.max(a[0], p.value());
                a[1] += p.bytes() == null ? 0 : p.bytes();
            }
            for (Point p : t.restoreTests()) {
                tests.merge(p.at().truncatedTo(java.time.temporal.ChronoUnit.DAYS), p.value(), Math::max);
            }
        }
        List<Point> b = new ArrayList<>();
        backups.forEach((day, a) -> b.add(new Point(day, a[0], (long) a[1])));
        List<Point> r = new ArrayList<>();
        tests.forEach((day, v) -> r.add(new Point(day, v, null)));
        return new Trend(ReportData.HOST, b, r);
    }

    /** The troubles that went wrong the same way, one group each, in the order of their first. */
    static List<TroubleGroup> group(List<Trouble> troubles) {
        Map<List<String>, List<Trouble>> by = new LinkedHashMap<>();
        for (Trouble t : troubles) {
            by.computeIfAbsent(List.of(t.server(), t.job(), t.what(), t.error() == null ? "" : t.error()),
                    k -> new ArrayList<>()).add(t);
        }
        List<TroubleGroup> out = new ArrayList<>();
        for (List<Trouble> g : by.values()) {
            Trouble f = g.get(0);
            out.add(new TroubleGroup(f, g.size(), g.get(g.size() - 1).at(), g.stream().map(Trouble::runId).toList()));
        }
        return out;
    }

    /**
     * What retention did in the window, per server: each run's detail (what was kept standalone, released and
     * deleted, locally and in S3), or that barmand leaves the server to Barman's own retention_policy.
     */
    private String retention(HealthReport health, Instant since) {
        List<String> parts = new ArrayList<>();
        Map<String, List<String>> barmans = new LinkedHashMap<>();
        Map<String, Optional<String>> policies = null;
        String unknown = null;
        for (ServerHealth sh : health.servers()) {
            ServerSettings ss = servers.get(sh.server());
            if (ss == null || ss.retention().isEmpty()) {
                if (policies == null && unknown == null) {
                    try {
                        policies = barmanPolicies.get();
                    } catch (RuntimeException e) {
                        unknown = "barmand deletes no backup; Barman's retention_policy unknown (" + e.getMessage() + ")";
                    }
                }
                String words = unknown != null ? unknown : policies.containsKey(sh.server())
                        ? barmanRetention(policies.get(sh.server()))
                        : "barmand deletes no backup; Barman does not list the server";
                barmans.computeIfAbsent(words, k -> new ArrayList<>()).add(sh.server());
                continue;
            }
            List<String> runs = new ArrayList<>();
            for (RunRecord r : history.since(sh.server(), JobKind.RETENTION.id(), since)) {
                if (!r.outcome().open() && r.outcome() != Outcome.SKIPPED) {
                    runs.add(r.outcome().word() + ": " + (r.error() != null ? r.error() : r.detail()));
                }
            }
            parts.add(sh.server() + ": " + (runs.isEmpty() ? "no retention run in this window" : String.join("; ", runs)));
        }
        barmans.forEach((words, names) -> parts.add(String.join(", ", names) + ": " + words));
        return String.join("\n", parts);
    }

    private ServerLine line(ServerHealth sh, Instant now) {
        Backup b = sh.lastBackup().map(r -> {
            Instant end = ended(r);
            return new Backup(r.backupId(), end, Duration.between(end, now).getSeconds(), r.sizeBytes(),
                    r.durationMs() == null ? null : r.durationMs() / 1000.0);
        }).orElse(null);
        Offsite o = sh.lastOffsite().map(r -> {
            Optional<Instant> s3 = r.facts().instant(FactNames.WAL_NEWEST_S3_AT);
            Optional<Instant> archive = r.facts().instant(FactNames.WAL_NEWEST_ARCHIVE_AT);
            Double lag = s3.isPresent() && archive.isPresent()
                    ? Math.max(0, Duration.between(s3.get(), archive.get()).toMillis() / 1000.0) : null;
            return new Offsite(r.id(), r.outcome().word(), ended(r), r.facts().text(FactNames.BACKUP).orElse(r.backupId()), lag,
                    r.facts().text(FactNames.WAL_NEWEST_S3).orElse(null), r.error());
        }).orElse(null);
        ServerSettings ss = servers.get(sh.server());
        boolean twoSources = ss != null && ss.restoreFromS3().isPresent();
        RestoreTest t;
        RestoreTest s3 = null;
        if (twoSources) {
            // the last test from Barman and the last from S3, each on its own
            List<RunRecord> tests = history.list(sh.server(), JobKind.RESTORE_TEST.id(), 500).stream()
                    .filter(r -> !r.outcome().open() && r.outcome() != Outcome.SKIPPED).toList();
            t = tests.stream().filter(r -> !Health.fromS3(r)).findFirst().map(ReportBuilder::restoreTest).orElse(null);
            s3 = tests.stream().filter(Health::fromS3).findFirst().map(ReportBuilder::restoreTest).orElse(null);
        } else {
            t = sh.lastRestoreTest().map(ReportBuilder::restoreTest).orElse(null);
        }
        Check c = sh.lastCheck().map(r -> new Check(r.outcome().word(), ended(r), r.failedChecks())).orElse(null);
        ReportData.Verify v = history.lastEnded(sh.server(), JobKind.VERIFY.id()).map(r -> new ReportData.Verify(
                r.outcome().word(), ended(r), r.facts().text(FactNames.VERIFIED_THROUGH).orElse(null),
                r.facts().text(FactNames.OFFSITE_CHECKED).orElse(null), r.error())).orElse(null);
        return new ServerLine(sh.server(), sh.severity(), b, o, t, c, v, s3);
    }

    private static RestoreTest restoreTest(RunRecord r) {
        return new RestoreTest(r.id(), r.outcome().word(), ended(r), r.backupId(),
                r.facts().text(FactNames.SOURCE).orElse(RestoreSource.BARMAN.id()), r.facts().seconds(FactNames.RTO).orElse(null),
                r.facts().instant(FactNames.RECOVERY_POINT).orElse(null), r.facts().seconds(FactNames.CANARY_AGE).orElse(null), r.error());
    }

    private Trend trend(String server, Instant now) {
        Instant since = now.minus(Duration.ofDays(trendDays));
        List<Point> backups = new ArrayList<>();
        List<Point> tests = new ArrayList<>();
        for (RunRecord r : history.since(server, JobKind.BACKUP.id(), since)) {
            if (r.outcome() == Outcome.SUCCESS && r.durationMs() != null) {
                backups.add(new Point(ended(r), r.durationMs() / 1000.0, r.sizeBytes()));
            }
        }
        for (RunRecord r : history.since(server, JobKind.RESTORE_TEST.id(), since)) {
            if (r.outcome() == Outcome.SUCCESS) {
                r.facts().seconds(FactNames.RTO).ifPresent(rto -> tests.add(new Point(ended(r), rto, null)));
            }
        }
        backups.sort(Comparator.comparing(Point::at));
        tests.sort(Comparator.comparing(Point::at));
        return new Trend(server, backups, tests);
    }

    /** The free space of each folder (of its nearest existing parent), each folder once. */
    static List<Disk> disks(Map<String, Path> folders) {
        List<Disk> out = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : folders.entrySet()) {
            Path p = e.getValue().toAbsolutePath();
            while (p != null && !Files.exists(p)) {
                p = p.getParent();
            }
            if (p == null) {
                continue;
            }
            try {
                FileStore fs = Files.getFileStore(p);
                String key = e.getKey() + "\u0000" + e.getValue();
                if (seen.putIfAbsent(key, true) == null) {
                    out.add(new Disk(e.getKey(), e.getValue().toString(), fs.getUsableSpace(), fs.getTotalSpace()));
                }
            } catch (IOException ex) {
                out.add(new Disk(e.getKey(), e.getValue().toString(), -1, -1));
            }
        }
        return out;
    }

    static Instant ended(RunRecord r) {
        return r.ended() != null ? r.ended() : r.started();
    }
}
