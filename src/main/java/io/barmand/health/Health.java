package io.barmand.health;

import io.barmand.barman.RestorePoint;
import io.barmand.history.FactNames;
import io.barmand.config.JobKind;
import io.barmand.config.JobSchedule;
import io.barmand.config.JobSettings;
import io.barmand.config.ReportSettings;
import io.barmand.config.Schedule;
import io.barmand.config.ServerSettings;
import io.barmand.config.Settings;
import io.barmand.history.Outcome;
import io.barmand.history.RunHistory;
import io.barmand.history.RunRecord;
import io.barmand.vocabulary.RestoreSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds what is wrong, from the history, the schedules and the thresholds of {@code health}: one evaluation that the
 * morning report, the alerts, {@code status --check} and the metrics all read, so that they never disagree.
 *
 * <p>A missed run is a fire time of a schedule that passed with no run asked for near it (from the fire time to
 * the misfire threshold plus two minutes after it), counted from the first start of barmand on this host.
 */
public final class Health {
    /** The key of the host's problem while the history store takes no writes (the metrics read it too). */
    public static final String HISTORY_STORE = "history-store";

    /** How many fire times of one job one evaluation looks at, at most (a check every minute for 3 days). */
    static final int MAX_FIRE_TIMES = 5000;

    private final Map<String, ServerSettings> servers;
    private final Map<JobKind, JobSettings> hostJobs;
    private final ReportSettings limits;
    private final Duration tolerance;
    private final RunHistory history;
    private final Function<String, Optional<Instant>> newestWal;
    private final Function<String, RestorePoint> restorePoints;

    /**
     * @param newestWal when Barman archived the newest WAL file of a server (empty when unknown); never throws
     * @param restorePoints how far Barman can restore a server, from its files ({@link RestorePoint#UNKNOWN} when
     *                      not known: the history's newest backup stands in, the WAL chain is not checked)
     */
    public Health(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, ReportSettings limits,
                  Duration misfireThreshold, RunHistory history, Function<String, Optional<Instant>> newestWal,
                  Function<String, RestorePoint> restorePoints) {
        this.servers = servers;
        this.hostJobs = hostJobs;
        this.limits = limits;
        this.tolerance = misfireThreshold.plusMinutes(2);
        this.history = history;
        this.newestWal = newestWal;
        this.restorePoints = restorePoints;
    }

    /** Without Barman's files: the restorability read from the history's newest backup. */
    public Health(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, ReportSettings limits,
                  Duration misfireThreshold, RunHistory history, Function<String, Optional<Instant>> newestWal) {
        this(servers, hostJobs, limits, misfireThreshold, history, newestWal, s -> RestorePoint.UNKNOWN);
    }

    public Health(Settings s, RunHistory history, Function<String, Optional<Instant>> newestWal,
                  Function<String, RestorePoint> restorePoints) {
        this(s.servers(), s.hostJobs(), s.report(), s.scheduler().misfireThreshold(), history, newestWal, restorePoints);
    }

    public Health(Settings s, RunHistory history, Function<String, Optional<Instant>> newestWal) {
        this(s, history, newestWal, x -> RestorePoint.UNKNOWN);
    }

    /** Every server at {@code now}; missed runs are looked for in the {@code window} before it. */
    public HealthReport evaluate(Instant now, Duration window) {
        List<Problem> hostProblems = new ArrayList<>();
        // first: the history may take no writes and still be read (another process holds its lock, the disk is full)
        history.trouble().ifPresent(t -> hostProblems.add(new Problem("", HISTORY_STORE, Severity.CRITICAL, "history store",
                t.text(java.nio.file.Path.of(history.where())), t.since(), true)));
        Optional<Instant> first = history.firstDaemonStart();
        Instant from = now.minus(window);
        if (first.isPresent() && first.get().isAfter(from)) {
            from = first.get();
        }
        Instant to = now.minus(tolerance);
        Map<String, List<Instant>> asked = new HashMap<>();
        if (first.isPresent() && from.isBefore(to)) {
            for (RunHistory.Asked r : history.asked(from.minusSeconds(5), now)) {
                asked.computeIfAbsent(r.server() + "\u0000" + r.job(), x -> new ArrayList<>()).add(r.requested());
            }
        }
        // the fire times of each schedule in the window, once for all the servers that share it
        Map<Schedule, List<Instant>> fires = new HashMap<>();
        Instant f0 = from;
        java.util.function.Function<Schedule, List<Instant>> fireTimes = sc -> fires.computeIfAbsent(sc,
                x -> x.fireTimes(f0.minusMillis(1), to, MAX_FIRE_TIMES));
        List<ServerHealth> out = new ArrayList<>();
        for (ServerSettings ss : servers.values()) {
            out.add(server(ss, now, first, from, to, asked, fireTimes));
        }
        List<Missed> hostMissed = new ArrayList<>();
        for (Map.Entry<JobKind, JobSettings> h : hostJobs.entrySet()) {
            Optional<Schedule> sc = h.getValue().schedule();
            if (sc.isPresent() && first.isPresent()) {
                List<Missed> m = missed("", h.getKey(), fireTimes.apply(sc.get()),
                        asked.getOrDefault("\u0000" + h.getKey().id(), List.of()), tolerance);
                hostMissed.addAll(m);
                missedProblem("", h.getKey(), m, history.last("", h.getKey().id(), Outcome.SUCCESS), Severity.WARNING, false)
                        .ifPresent(hostProblems::add);
            }
        }
        return new HealthReport(now, out, hostMissed, hostProblems);
    }

    private ServerHealth server(ServerSettings ss, Instant now, Optional<Instant> first, Instant from, Instant to,
                                Map<String, List<Instant>> asked,
                                java.util.function.Function<Schedule, List<Instant>> fireTimes) {
        String name = ss.name();
        Optional<RunRecord> lastBackup = history.last(name, JobKind.BACKUP.id(), Outcome.SUCCESS);
        Optional<RunRecord> lastBackupRun = history.lastEnded(name, JobKind.BACKUP.id());
        Optional<RunRecord> lastOffsite = ss.offsite().enabled() ? history.lastEnded(name, JobKind.OFFSITE.id()) : Optional.empty();
        Optional<RunRecord> lastRestore = history.lastEnded(name, JobKind.RESTORE_TEST.id());
        Optional<RunRecord> lastRestoreOk = lastRestore.isPresent() && lastRestore.get().outcome() == Outcome.SUCCESS
                ? lastRestore : history.last(name, JobKind.RESTORE_TEST.id(), Outcome.SUCCESS);
        Optional<RunRecord> lastCheck = history.lastEnded(name, JobKind.CHECK.id());
        Optional<Instant> wal = Optional.empty();
        try {
            wal = newestWal.apply(name);
        } catch (RuntimeException e) {
            // unknown: no WAL-age problem from it
        }
        List<Problem> p = new ArrayList<>();
        failed(name, "backup", "backup", lastBackupRun, Severity.CRITICAL, true).ifPresent(p::add);
        if (ss.offsite().enabled()) {
            failed(name, "offsite", "offsite copy", lastOffsite, Severity.CRITICAL, true).ifPresent(p::add);
        }
        // restore tests: with a second schedule from S3, the tests from S3 and the others are followed apart, so
        // that a daily test from Barman passing does not hide a weekly one from S3 failing
        boolean twoSources = ss.restoreFromS3().isPresent();
        if (twoSources) {
            failed(name, "restore-test", "restore test", lastRestoreEnded(name, false), Severity.CRITICAL, true).ifPresent(p::add);
            failed(name, "restore-test-s3", "restore test from S3", lastRestoreEnded(name, true), Severity.CRITICAL, true)
                    .ifPresent(p::add);
        } else {
            failed(name, "restore-test", "restore test", lastRestore, Severity.CRITICAL, true).ifPresent(p::add);
        }
        failed(name, "check", "check", lastCheck, Severity.WARNING, false).ifPresent(p::add);
        failed(name, "verify", "verify", history.lastEnded(name, JobKind.VERIFY.id()), Severity.CRITICAL, true).ifPresent(p::add);
        if (ss.retention().isPresent()) {
            // a refused or failed retention run: nothing was lost, but the catalogue grows until someone looks
            failed(name, "retention", "retention", history.lastEnded(name, JobKind.RETENTION.id()), Severity.CRITICAL, true)
                    .ifPresent(p::add);
        }
        // ages
        JobSettings backupJob = ss.job(JobKind.BACKUP);
        if (backupJob != null && backupJob.enabled() && limits.backupMaxAge().isPresent()) {
            Duration max = limits.backupMaxAge().get();
            if (lastBackup.isPresent()) {
                Instant end = ended(lastBackup.get());
                if (Duration.between(end, now).compareTo(max) > 0) {
                    p.add(new Problem(name, "backup-age", Severity.CRITICAL, "backup age", "newest backup "
                            + lastBackup.get().backupId() + " is " + age(Duration.between(end, now)) + " old (health.backup-max-age = "
                            + age(max) + ")", end.plus(max), true));
                }
            } else if (first.isPresent() && Duration.between(first.get(), now).compareTo(max) > 0) {
                p.add(new Problem(name, "backup-age", Severity.CRITICAL, "backup age", "no successful backup recorded since barmand "
                        + "first started (" + first.get() + ")", first.get().plus(max), true));
            }
        }
        if (wal.isPresent() && limits.walMaxAge().isPresent()
                && Duration.between(wal.get(), now).compareTo(limits.walMaxAge().get()) > 0) {
            p.add(new Problem(name, "wal-age", Severity.WARNING, "WAL age", "newest WAL file in Barman's archive is "
                    + age(Duration.between(wal.get(), now)) + " old (health.wal-max-age = " + age(limits.walMaxAge().get()) + ")",
                    wal.get().plus(limits.walMaxAge().get()), true));
        }
        if (ss.offsite().enabled() && ss.offsite().walEnabled() && limits.offsiteWalMaxAge().isPresent()) {
            Optional<Instant> s3 = history.last(name, JobKind.OFFSITE.id(), Outcome.SUCCESS)
                    .flatMap(r -> r.facts().instant(FactNames.WAL_NEWEST_S3_AT));
            Duration max = limits.offsiteWalMaxAge().get();
            if (s3.isPresent() && Duration.between(s3.get(), now).compareTo(max) > 0
                    && (wal.isEmpty() || wal.get().isAfter(s3.get()))) {
                p.add(new Problem(name, "offsite-wal-age", Severity.WARNING, "offsite WAL", "newest WAL file in S3 was archived "
                        + age(Duration.between(s3.get(), now)) + " ago (health.offsite-wal-max-age = " + age(max) + ")",
                        s3.get().plus(max), true));
            }
        }
        for (JobSchedule sched : ss.schedules(JobKind.RESTORE_TEST)) {
            Optional<RunRecord> ok = twoSources ? lastRestorePassed(name, sched.second()) : lastRestoreOk;
            if (limits.restoreTestMaxAge().isEmpty() || ok.isEmpty()) {
                continue;
            }
            Duration max = limits.restoreTestMaxAge().get();
            Instant end = ended(ok.get());
            if (Duration.between(end, now).compareTo(max) > 0) {
                String what = sched.second() ? "restore test from S3" : "restore test";
                p.add(new Problem(name, sched.name() + "-age", Severity.WARNING, what + " age", "last passed " + what + " is "
                        + age(Duration.between(end, now)) + " old (health.restore-test-max-age = " + age(max) + ")",
                        end.plus(max), true));
            }
        }
        // missed runs
        List<Missed> missed = new ArrayList<>();
        if (first.isPresent()) {
            // every schedule: a job's own, and the restore test's second one from S3 (a run of the job near a
            // fire time, from either schedule, counts for it: the two are set at different times)
            for (JobSchedule sched : ss.schedules()) {
                JobKind k = sched.kind();
                List<Missed> m = missed(name, k, fireTimes.apply(sched.schedule()),
                        asked.getOrDefault(name + "\u0000" + k.id(), List.of()), tolerance).stream().map(x -> new Missed(x.server(), k, x.fireTime(), sched.name())).toList();
                missed.addAll(m);
                boolean heavy = k == JobKind.BACKUP || k == JobKind.OFFSITE || k == JobKind.RESTORE_TEST || k == JobKind.VERIFY;
                Optional<RunRecord> ok = k == JobKind.RESTORE_TEST && twoSources ? lastRestorePassed(name, sched.second())
                        : history.last(name, k.id(), Outcome.SUCCESS);
                missedProblem(name, sched, m, ok, heavy ? Severity.CRITICAL : Severity.WARNING, heavy).ifPresent(p::add);
            }
        }
        Restorability r = Restorability.judge(name, restorabilityFacts(ss, wal, lastBackup, lastOffsite, lastRestore,
                lastRestoreOk), limits, now);
        return new ServerHealth(name, lastBackup, lastBackupRun, lastOffsite, lastRestore, lastRestoreOk, lastCheck, wal,
                missed, p, r);
    }

    /** What the restorability rules read, from Barman's files (the history's newest backup when unknown). */
    private Restorability.Facts restorabilityFacts(ServerSettings ss, Optional<Instant> wal, Optional<RunRecord> lastBackup,
                                                   Optional<RunRecord> lastOffsite, Optional<RunRecord> lastRestore,
                                                   Optional<RunRecord> lastRestoreOk) {
        String name = ss.name();
        RestorePoint point;
        try {
            point = restorePoints.apply(name);
        } catch (RuntimeException e) {
            point = RestorePoint.UNKNOWN;
        }
        Optional<String> backupId;
        Optional<Instant> backupEnded;
        if (point.known()) {
            backupId = point.newestDone().map(RestorePoint.DoneBackup::backupId);
            backupEnded = point.newestDone().map(RestorePoint.DoneBackup::ended);
        } else {
            backupId = lastBackup.map(RunRecord::backupId);
            backupEnded = lastBackup.map(Health::ended);
        }
        Optional<Instant> newest = point.newestWal().map(RestorePoint.Wal::archived).or(() -> wal);
        Optional<Restorability.Proof> proof = lastRestoreOk.map(r -> new Restorability.Proof(r.id(), ended(r),
                fromS3(r) ? RestoreSource.S3 : RestoreSource.BARMAN, r.facts().seconds(FactNames.RTO)));
        List<Optional<RunRecord>> tests = ss.restoreFromS3().isPresent()
                ? List.of(lastRestoreEnded(name, false), lastRestoreEnded(name, true)) : List.of(lastRestore);
        List<Restorability.TestRun> runs = tests.stream().flatMap(Optional::stream)
                .filter(r -> !r.outcome().open() && r.outcome() != Outcome.SKIPPED).map(Health::testRun).toList();
        Optional<Restorability.Offsite> offsite = Optional.empty();
        if (ss.offsite().enabled()) {
            Optional<RunRecord> ok = lastOffsite.isPresent() && lastOffsite.get().outcome() == Outcome.SUCCESS ? lastOffsite
                    : history.last(name, JobKind.OFFSITE.id(), Outcome.SUCCESS);
            offsite = Optional.of(new Restorability.Offsite(lastOffsite.map(Health::testRun),
                    ok.flatMap(r -> r.facts().text(FactNames.BACKUP).or(() -> Optional.ofNullable(r.backupId()))),
                    ok.flatMap(r -> r.facts().instant(FactNames.WAL_NEWEST_S3_AT)), ss.offsite().walEnabled(),
                    ok.flatMap(r -> r.facts().count(FactNames.WAL_GAPS)).orElse(0L)));
        }
        Optional<Long> verify = history.lastEnded(name, JobKind.VERIFY.id())
                .filter(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.INTERRUPTED).map(RunRecord::id);
        return new Restorability.Facts(point.known(), backupId, backupEnded, newest, point.firstMissingWal(), proof, runs,
                offsite, verify);
    }

    private static Restorability.TestRun testRun(RunRecord r) {
        return new Restorability.TestRun(r.id(), ended(r), fromS3(r) ? RestoreSource.S3 : RestoreSource.BARMAN,
                r.outcome() == Outcome.SUCCESS, r.outcome().word());
    }

    /** The newest ended run failed or was interrupted: a problem until a later run succeeds. */
    private static Optional<Problem> failed(String server, String key, String what, Optional<RunRecord> last, Severity sev,
                                            boolean alert) {
        if (last.isEmpty() || last.get().outcome() == Outcome.SUCCESS) {
            return Optional.empty();
        }
        RunRecord r = last.get();
        String err = r.error() != null ? r.error() : r.failedChecks().isEmpty() ? "" : "failed checks: "
                + String.join(", ", r.failedChecks());
        return Optional.of(new Problem(server, key, sev, what, what + " " + r.outcome().word() + " (run " + r.id() + ", "
                + ended(r).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")" + (err.isEmpty() ? "" : ": " + err),
                ended(r), alert, JobKind.byId(r.job()), java.util.OptionalLong.of(r.id())));
    }

    /** How many recent runs of a restore test are read to find the newest of one source. */
    static final int SOURCE_LOOKBACK = 500;

    /** The newest ended restore test read from S3 ({@code s3}) or from Barman. */
    private Optional<RunRecord> lastRestoreEnded(String server, boolean s3) {
        return history.list(server, JobKind.RESTORE_TEST.id(), SOURCE_LOOKBACK).stream()
                .filter(r -> !r.outcome().open() && r.outcome() != Outcome.SKIPPED && fromS3(r) == s3).findFirst();
    }

    /** The newest passed restore test read from S3 ({@code s3}) or from Barman. */
    private Optional<RunRecord> lastRestorePassed(String server, boolean s3) {
        return history.list(server, JobKind.RESTORE_TEST.id(), SOURCE_LOOKBACK).stream()
                .filter(r -> r.outcome() == Outcome.SUCCESS && fromS3(r) == s3).findFirst();
    }

    /** A restore test's source, as its run recorded it (a run without the fact read Barman). */
    public static boolean fromS3(RunRecord r) {
        return r.facts().text(FactNames.SOURCE).filter(RestoreSource.S3::is).isPresent();
    }

    /** Fire times missed since the job last succeeded: one problem, naming the first and how many. */
    private static Optional<Problem> missedProblem(String server, JobKind k, List<Missed> m, Optional<RunRecord> lastOk,
                                                   Severity sev, boolean alert) {
        return missedProblem(server, k, k.id(), false, m, lastOk, sev, alert);
    }

    private static Optional<Problem> missedProblem(String server, JobSchedule sched, List<Missed> m, Optional<RunRecord> lastOk,
                                                   Severity sev, boolean alert) {
        return missedProblem(server, sched.kind(), sched.name(), sched.second(), m, lastOk, sev, alert);
    }

    /** {@code name}: the schedule's ({@link JobSchedule#name()}); {@code second}: the restore test's one from S3. */
    private static Optional<Problem> missedProblem(String server, JobKind k, String name, boolean second, List<Missed> m,
                                                   Optional<RunRecord> lastOk, Severity sev, boolean alert) {
        List<Missed> open = m.stream().filter(x -> lastOk.isEmpty() || x.fireTime().isAfter(lastOk.get().requested())).toList();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        Instant f = open.get(0).fireTime();
        String what = k == JobKind.RESTORE_TEST ? (second ? "restore test from S3" : "restore test")
                : k == JobKind.OFFSITE ? "offsite copy" : k.id();
        return Optional.of(new Problem(server, "missed-" + name, sev, what + " missed", what + " missed: "
                + (open.size() == 1 ? "the run due at " + f + " did not happen"
                : open.size() + " runs due since " + f + " did not happen") + " (barmand down, or its scheduler stalled)",
                f, alert));
    }

    /**
     * The fire times of {@code sc} in [from, to) with no run asked for in [fire - 5s, fire + tolerance]
     * ({@code asked}: the requested instants of the job's runs, in any order).
     */
    /** The fire times ({@code fires}, of the window) with no run asked for near them. */
    static List<Missed> missed(String server, JobKind k, List<Instant> fires, List<Instant> asked, Duration tolerance) {
        if (fires.isEmpty()) {
            return List.of();
        }
        List<Instant> sorted = new ArrayList<>(asked);
        Collections.sort(sorted);
        List<Missed> out = new ArrayList<>();
        for (Instant fire : fires) {
            int i = Collections.binarySearch(sorted, fire.minusSeconds(5));
            int at = i >= 0 ? i : -i - 1;
            if (at >= sorted.size() || sorted.get(at).isAfter(fire.plus(tolerance))) {
                out.add(new Missed(server, k, fire));
            }
        }
        return out;
    }

    static Instant ended(RunRecord r) {
        return r.ended() != null ? r.ended() : r.started();
    }

    /** 26h, 3d 4h, 12m: an age for people. */
    public static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 172_800) {
            long h = (s % 86_400) / 3600;
            return s / 86_400 + "d" + (h > 0 ? " " + h + "h" : "");
        }
        if (s >= 7200) {
            return s / 3600 + "h" + ((s % 3600) / 60 > 0 ? " " + (s % 3600) / 60 + "m" : "");
        }
        if (s >= 120) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
