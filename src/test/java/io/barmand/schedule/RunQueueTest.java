package io.barmand.schedule;

import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.job.JobService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.RetryPolicy;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.jobs.BackupService;
import io.barmand.jobs.CheckService;
import io.barmand.jobs.SwitchWalService;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import io.barmand.testing.Limits;
import io.barmand.testing.ManualDelays;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conflict rules, the queue, the host-wide bound, chaining and retries, with the real Quartz scheduler, the real
 * check/switch-wal/backup services against a stand-in barman, and stand-ins for the restore test and the offsite
 * copy (their own tests use real PostgreSQL and S3). Nothing sleeps: the stand-ins hold until the test lets go.
 */
class RunQueueTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String NEVER = null;

    @TempDir
    Path tmp;
    FakeBarman fake;
    RunStore store;
    JobRunner runner;
    BarmandScheduler scheduler;
    final ManualDelays delays = new ManualDelays();

    /** A job that holds until released, counting how many of it run at once. */
    static final class Held implements JobService {
        final JobKind kind;
        final Semaphore gate = new Semaphore(0);
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        final List<String> arguments = new CopyOnWriteArrayList<>();

        Held(JobKind kind) {
            this.kind = kind;
        }

        @Override
        public JobKind kind() {
            return kind;
        }

        @Override
        public void check(RunOptions options) {
        }

        @Override
        public Result execute(RunContext ctx) {
            arguments.add(ctx.server() + ":" + ctx.options().backupId().orElse(""));
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                if (!gate.tryAcquire(60, TimeUnit.SECONDS)) {
                    return Result.failed(RunFigures.error("never released"));
                }
            } catch (InterruptedException e) {
                throw new BarmandException(Category.INTERRUPTED, "interrupted");
            } finally {
                now.decrementAndGet();
            }
            return Result.ok(RunFigures.NONE);
        }
    }

    final Held restore = new Held(JobKind.RESTORE_TEST);
    final Held offsite = new Held(JobKind.OFFSITE);

    static JobSettings job(JobKind k, String schedule, RetryPolicy retry) {
        return io.barmand.testing.Jobs.settings(k, schedule, Duration.ofSeconds(30), false,
                Duration.ofSeconds(5), false, retry);
    }

    static ServerSettings server(String name, String check, String backup, RetryPolicy retry) {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.CHECK, job(JobKind.CHECK, check, RetryPolicy.NONE));
        jobs.put(JobKind.SWITCH_WAL, job(JobKind.SWITCH_WAL, NEVER, RetryPolicy.NONE));
        jobs.put(JobKind.BACKUP, job(JobKind.BACKUP, backup, retry));
        jobs.put(JobKind.RESTORE_TEST, job(JobKind.RESTORE_TEST, NEVER, RetryPolicy.NONE));
        jobs.put(JobKind.OFFSITE, job(JobKind.OFFSITE, NEVER, RetryPolicy.NONE));
        return io.barmand.testing.Jobs.server(name, ZoneOffset.UTC, jobs);
    }

    /** Real services for check, switch-wal and backup over the fake barman; held stand-ins for the rest. */
    void start(Map<String, ServerSettings> servers, int maxHeavy, JobService backupService) {
        fake = new FakeBarman(tmp.resolve("bin"));
        fake.answer("check", "check-ok.json", 0).answer("switch-wal", "switch-wal.json", 0)
                .answer("backup", "backup.json", 0).answer("show-backup", "show-backup.json", 0);
        BarmanClient client = new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), fake.script(),
                Optional.empty());
        JobRegistry reg = new JobRegistry().register(new CheckService(client))
                .register(new SwitchWalService(client))
                .register(backupService != null ? backupService : new BackupService(client, servers))
                .register(restore)
                .register(offsite);
        store = RunStore.open(tmp.resolve("state"), true);
        runner = new JobRunner(servers, reg, store, Limits.heavy(maxHeavy), Clock.systemUTC(), delays);
        scheduler = new BarmandScheduler(servers, reg, runner, store, Limits.heavy(maxHeavy), Clock.systemUTC());
        scheduler.schedule();
        scheduler.start();
    }

    @AfterEach
    void stop() {
        if (fake != null) {
            fake.release("check").release("backup");
        }
        restore.gate.release(1000);
        offsite.gate.release(1000);
        if (scheduler != null) {
            scheduler.standby();
            runner.interruptAll();
            runner.awaitIdle(WAIT);
            scheduler.shutdown();
        }
        if (store != null) {
            store.close();
        }
    }

    List<RunRecord> runs(String server, JobKind k) {
        return store.list(server, k.id(), 1000);
    }

    Optional<RunRecord> first(String server, JobKind k, Outcome o) {
        return runs(server, k).stream().filter(r -> r.outcome() == o).reduce((a, b) -> b);
    }

    /** A cron expression that fires once, {@code seconds} from now (all servers given it fire in the same second). */
    static String onceIn(int seconds) {
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(seconds);
        return t.getSecond() + " " + t.getMinute() + " " + t.getHour() + " " + t.getDayOfMonth() + " " + t.getMonthValue()
                + " ? " + t.getYear();
    }

    @Test
    void aBackupWhoseTimeComesWhileALongCheckOfItsServerRunsStillRuns() {
        // the check of itpg fires every second and its first one holds on (a 40 s check, for as long as needed);
        // the backup's fire time comes meanwhile
        start(Map.of("itpg", server("itpg", "* * * * * ?", onceIn(2), RetryPolicy.NONE)), 2, null);
        fake.hold("check");
        await().atMost(WAIT).until(() -> fake.holding("check") == 1);
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.SUCCESS).isPresent());
        RunRecord backup = first("itpg", JobKind.BACKUP, Outcome.SUCCESS).orElseThrow();
        // the check still holds: the backup ran beside it, recorded with its wait
        assertThat(fake.holding("check")).isEqualTo(1);
        assertThat(first("itpg", JobKind.CHECK, Outcome.RUNNING)).isPresent();
        assertThat(backup.trigger()).isEqualTo(Trigger.SCHEDULED);
        assertThat(backup.backupId()).isEqualTo("20261123T235922");
        assertThat(backup.waitedMs()).isNotNull().isLessThan(1000L);
        assertThat(backup.requested()).isNotNull();
        // later fire times of the held check are skipped, naming the run that holds its kind
        await().atMost(WAIT).until(() -> first("itpg", JobKind.CHECK, Outcome.SKIPPED).isPresent());
        assertThat(first("itpg", JobKind.CHECK, Outcome.SKIPPED).orElseThrow().error())
                .matches("server itpg busy: check \\(run \\d+\\) running since .*");
        fake.release("check");
        await().atMost(WAIT).until(() -> first("itpg", JobKind.CHECK, Outcome.SUCCESS).isPresent());
    }

    @Test
    void aBackupThatMeetsALongRestoreTestOfItsServerRuns() {
        start(Map.of("itpg", server("itpg", NEVER, onceIn(2), RetryPolicy.NONE)), 2, null);
        runner.submit(RunRequest.of(JobKind.RESTORE_TEST, "itpg", Trigger.MANUAL));
        await().atMost(WAIT).until(() -> restore.now.get() == 1);
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.SUCCESS).isPresent());
        assertThat(restore.now.get()).isEqualTo(1);
        assertThat(first("itpg", JobKind.RESTORE_TEST, Outcome.RUNNING)).isPresent();
        restore.gate.release();
        await().atMost(WAIT).until(() -> first("itpg", JobKind.RESTORE_TEST, Outcome.SUCCESS).isPresent());
    }

    @Test
    void twoBackupsOfOneServerNeverOverlap() {
        start(Map.of("itpg", server("itpg", NEVER, "* * * * * ?", RetryPolicy.NONE)), 4, null);
        fake.hold("backup");
        await().atMost(WAIT).until(() -> fake.holding("backup") == 1);
        RunRecord manual = runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL);
        assertThat(manual.outcome()).isEqualTo(Outcome.SKIPPED);
        await().atMost(WAIT).until(() -> runs("itpg", JobKind.BACKUP).stream()
                .filter(r -> r.outcome() == Outcome.SKIPPED && r.trigger() == Trigger.SCHEDULED).count() >= 2);
        assertThat(fake.holding("backup")).isEqualTo(1);
        assertThat(runs("itpg", JobKind.BACKUP)).filteredOn(r -> r.outcome() == Outcome.RUNNING).hasSize(1);
        fake.release("backup");
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.SUCCESS).isPresent());
    }

    @Test
    void aFailedBackupIsRetriedPerPolicyThenGivenUp() {
        start(Map.of("itpg", server("itpg", NEVER, onceIn(2), new RetryPolicy(2, Duration.ofMinutes(30)))), 2, null);
        fake.answer("backup", "backup-failed.json", 1);
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.FAILED).isPresent());
        await().atMost(WAIT).until(() -> delays.pending().equals(List.of(Duration.ofMinutes(30))));
        // the second attempt fails too; the third succeeds
        assertThat(delays.fireAll()).isEqualTo(1);
        await().atMost(WAIT).until(() -> runs("itpg", JobKind.BACKUP).stream().filter(r -> r.outcome() == Outcome.FAILED).count() == 2);
        RunRecord second = runs("itpg", JobKind.BACKUP).get(0);
        assertThat(second.trigger()).isEqualTo(Trigger.RETRY);
        assertThat(second.attempt()).isEqualTo(2);
        await().atMost(WAIT).until(() -> delays.pending().size() == 1);
        fake.answer("backup", "backup.json", 0);
        delays.fireAll();
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.SUCCESS).isPresent());
        RunRecord third = first("itpg", JobKind.BACKUP, Outcome.SUCCESS).orElseThrow();
        assertThat(third.trigger()).isEqualTo(Trigger.RETRY);
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(delays.pending()).isEmpty();

        // a backup that fails 1 + max times is given up: no fourth attempt
        fake.answer("backup", "backup-failed.json", 1);
        runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL);
        for (int attempt = 2; attempt <= 3; attempt++) {
            await().atMost(WAIT).until(() -> delays.pending().size() == 1);
            delays.fireAll();
            int a = attempt;
            await().atMost(WAIT).until(() -> runs("itpg", JobKind.BACKUP).get(0).attempt() == a
                    && runs("itpg", JobKind.BACKUP).get(0).outcome() == Outcome.FAILED);
        }
        assertThat(runner.runningCount()).isZero();
        assertThat(delays.pending()).isEmpty();
    }

    @Test
    void aRetryIsDroppedWhenAnotherRunOfItsKindCameSince() {
        start(Map.of("itpg", server("itpg", NEVER, NEVER, new RetryPolicy(2, Duration.ofMinutes(30)))), 2, null);
        fake.answer("backup", "backup-failed.json", 1);
        assertThat(runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL).outcome()).isEqualTo(Outcome.FAILED);
        await().atMost(WAIT).until(() -> delays.pending().size() == 1);
        fake.answer("backup", "backup.json", 0);
        assertThat(runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL).outcome()).isEqualTo(Outcome.SUCCESS);
        int before = runs("itpg", JobKind.BACKUP).size();
        delays.fireAll();
        assertThat(runs("itpg", JobKind.BACKUP)).hasSize(before);
    }

    @Test
    void theOffsiteCopyAfterABackupIsNotLostWhenOtherJobsHoldTheServer() {
        start(Map.of("itpg", server("itpg", "* * * * * ?", NEVER, RetryPolicy.NONE)), 2, null);
        runner.followUps(List.of(FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, s -> true))));
        fake.hold("check");
        await().atMost(WAIT).until(() -> fake.holding("check") == 1);
        // an offsite copy of an older backup is running too
        runner.submit(RunRequest.of(JobKind.OFFSITE, "itpg", Trigger.SCHEDULED));
        await().atMost(WAIT).until(() -> offsite.now.get() == 1);
        RunRecord b = runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL);
        assertThat(b.outcome()).isEqualTo(Outcome.SUCCESS);
        // the copy of the new backup waits behind the running copy, queued, not skipped
        await().atMost(WAIT).until(() -> first("itpg", JobKind.OFFSITE, Outcome.QUEUED).isPresent());
        RunRecord queued = first("itpg", JobKind.OFFSITE, Outcome.QUEUED).orElseThrow();
        assertThat(queued.trigger()).isEqualTo(Trigger.AFTER_BACKUP);
        offsite.gate.release();
        await().atMost(WAIT).until(() -> offsite.arguments.size() == 2);
        offsite.gate.release();
        await().atMost(WAIT).until(() -> store.get(queued.id()).orElseThrow().outcome() == Outcome.SUCCESS);
        RunRecord copy = store.get(queued.id()).orElseThrow();
        assertThat(offsite.arguments).containsExactly("itpg:", "itpg:" + b.backupId());
        assertThat(copy.waitedMs()).isPositive();
        assertThat(copy.started()).isAfterOrEqualTo(copy.requested());
        assertThat(fake.holding("check")).isEqualTo(1);
        assertThat(runs("itpg", JobKind.OFFSITE)).noneMatch(r -> r.outcome() == Outcome.SKIPPED);
    }

    @Test
    void aChainAfterChainedFollowsTheCopyAfterABackupAndNotAScheduledCopy() {
        start(Map.of("itpg", server("itpg", NEVER, NEVER, RetryPolicy.NONE)), 2, null);
        runner.followUps(List.of(FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, s -> true),
                FollowUps.step(JobKind.RESTORE_TEST, s -> true))));
        // a scheduled copy (the WAL's pace) succeeds: nothing follows
        var scheduled = runner.submit(RunRequest.of(JobKind.OFFSITE, "itpg", Trigger.SCHEDULED));
        offsite.gate.release();
        assertThat(scheduled.join().outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(runner.awaitIdle(WAIT)).isTrue();
        assertThat(runs("itpg", JobKind.RESTORE_TEST)).isEmpty();
        // a backup: its copy follows, and the chained run after that copy
        RunRecord b = runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL);
        assertThat(b.outcome()).isEqualTo(Outcome.SUCCESS);
        await().atMost(WAIT).until(() -> offsite.now.get() == 1);
        offsite.gate.release();
        await().atMost(WAIT).until(() -> restore.now.get() == 1);
        restore.gate.release();
        assertThat(runner.awaitIdle(WAIT)).isTrue();
        assertThat(runs("itpg", JobKind.RESTORE_TEST)).singleElement()
                .satisfies(r -> assertThat(r.trigger()).isEqualTo(Trigger.AFTER_BACKUP));
    }

    @Test
    void fiftyServersWithBackupsInTheSameSecondRunAtMostTheBoundAndAllComplete() {
        Held backups = new Held(JobKind.BACKUP);
        Map<String, ServerSettings> servers = new LinkedHashMap<>();
        String cron = onceIn(2);
        for (int i = 1; i <= 50; i++) {
            servers.put("pg" + i, server("pg" + i, NEVER, cron, RetryPolicy.NONE));
        }
        start(servers, 3, backups);
        await().atMost(WAIT).until(() -> backups.now.get() == 3 && runner.queuedCount() == 47);
        assertThat(runner.heavyRunning()).isEqualTo(3);
        assertThat(store.list(null, "backup", 100)).filteredOn(r -> r.outcome() == Outcome.QUEUED).hasSize(47);
        backups.gate.release(50);
        await().atMost(WAIT).until(() -> store.list(null, "backup", 100).stream().filter(r -> r.outcome() == Outcome.SUCCESS).count() == 50);
        assertThat(backups.most.get()).isEqualTo(3);
        List<RunRecord> all = store.list(null, "backup", 100);
        assertThat(all).hasSize(50).allMatch(r -> r.trigger() == Trigger.SCHEDULED);
        assertThat(all).filteredOn(r -> r.waitedMs() > 0).hasSizeGreaterThanOrEqualTo(47);
    }

    @Test
    void whenASlotFreesBackupsGoFirst() {
        Held backups = new Held(JobKind.BACKUP);
        Map<String, ServerSettings> servers = new LinkedHashMap<>();
        for (String s : List.of("a", "b", "c", "d")) {
            servers.put(s, server(s, NEVER, NEVER, RetryPolicy.NONE));
        }
        start(servers, 1, backups);
        runner.submit(RunRequest.of(JobKind.RESTORE_TEST, "a", Trigger.MANUAL));
        await().atMost(WAIT).until(() -> restore.now.get() == 1);
        // queued in this order; the backup was asked for last but goes first
        runner.submit(RunRequest.of(JobKind.RESTORE_TEST, "b", Trigger.MANUAL));
        runner.submit(RunRequest.of(JobKind.OFFSITE, "c", Trigger.MANUAL));
        runner.submit(RunRequest.of(JobKind.BACKUP, "d", Trigger.MANUAL));
        assertThat(runner.queuedCount()).isEqualTo(3);
        restore.gate.release();
        await().atMost(WAIT).until(() -> backups.now.get() == 1);
        assertThat(offsite.now.get()).isZero();
        backups.gate.release();
        await().atMost(WAIT).until(() -> offsite.now.get() == 1);
        assertThat(restore.now.get()).isZero();
        offsite.gate.release();
        await().atMost(WAIT).until(() -> restore.now.get() == 1);
        restore.gate.release();
        await().atMost(WAIT).until(() -> runner.queuedCount() == 0 && runner.runningCount() == 0);
    }

    @Test
    void queuedRunsAreRecordedWhenTheDaemonStopsAndAChainedRunThatCannotHappenSaysWhy() {
        Held backups = new Held(JobKind.BACKUP);
        start(Map.of("a", server("a", NEVER, NEVER, RetryPolicy.NONE), "b", server("b", NEVER, NEVER, RetryPolicy.NONE)), 1, backups);
        runner.followUps(List.of(FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, s -> true))));
        runner.submit(RunRequest.of(JobKind.BACKUP, "a", Trigger.MANUAL));
        await().atMost(WAIT).until(() -> backups.now.get() == 1);
        var queued = runner.submit(RunRequest.of(JobKind.BACKUP, "b", Trigger.SCHEDULED));
        runner.interruptAll();
        RunRecord dropped = queued.join();
        assertThat(dropped.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(dropped.error()).startsWith("daemon stopping: queued since ").endsWith(", never started");
        assertThat(runner.awaitIdle(WAIT)).isTrue();
        RunRecord cut = runs("a", JobKind.BACKUP).get(0);
        assertThat(cut.outcome()).isEqualTo(Outcome.INTERRUPTED);
        assertThat(runs("a", JobKind.OFFSITE)).isEmpty();
        assertThat(store.list(null, null, 100)).noneMatch(r -> r.outcome().open());
    }

    @Test
    void aChainedRunThatIsNotConfiguredIsRecordedWithWhy() {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.BACKUP, job(JobKind.BACKUP, NEVER, RetryPolicy.NONE));
        jobs.put(JobKind.SWITCH_WAL, job(JobKind.SWITCH_WAL, NEVER, RetryPolicy.NONE));
        start(Map.of("itpg", io.barmand.testing.Jobs.server("itpg", ZoneOffset.UTC, jobs)), 2, null);
        runner.followUps(List.of(FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, s -> true))));
        assertThat(runner.run(JobKind.BACKUP, "itpg", Trigger.MANUAL).outcome()).isEqualTo(Outcome.SUCCESS);
        await().atMost(WAIT).until(() -> !runs("itpg", JobKind.OFFSITE).isEmpty());
        RunRecord r = runs("itpg", JobKind.OFFSITE).get(0);
        assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(r.trigger()).isEqualTo(Trigger.AFTER_BACKUP);
        assertThat(r.error()).isEqualTo("job 'offsite' is not configured for server 'itpg'");
    }

    @Test
    void retriesLeftPendingByAStoppedDaemonAreReArmedAtStart() {
        start(Map.of("itpg", server("itpg", NEVER, "0 0 2 * * ?", new RetryPolicy(1, Duration.ofMinutes(30)))), 2, null);
        Instant ended = Instant.now().minus(Duration.ofMinutes(10));
        long id = store.start("itpg", "backup", Trigger.SCHEDULED, ended.minusSeconds(60));
        store.finish(id, Outcome.FAILED, ended, 60_000, RunFigures.error("backup status FAILED"));
        assertThat(runner.resumeRetries()).isEqualTo(1);
        assertThat(delays.pending()).hasSize(1);
        assertThat(delays.pending().get(0)).isBetween(Duration.ofMinutes(19), Duration.ofMinutes(20));
        delays.fireAll();
        await().atMost(WAIT).until(() -> first("itpg", JobKind.BACKUP, Outcome.SUCCESS).isPresent());
        RunRecord r = first("itpg", JobKind.BACKUP, Outcome.SUCCESS).orElseThrow();
        assertThat(r.trigger()).isEqualTo(Trigger.RETRY);
        assertThat(r.attempt()).isEqualTo(2);
        // attempt 2 of a policy with max = 1 is the last: nothing to re-arm once it failed
        assertThat(runner.resumeRetries()).isZero();
    }

    @Test
    void aJobOfTheHostIsScheduledAndRunWithNoServer() {
        Map<String, ServerSettings> servers = Map.of("itpg", server("itpg", NEVER, NEVER, RetryPolicy.NONE));
        store = RunStore.open(tmp.resolve("state"), true);
        Instant old = Instant.now().minus(Duration.ofDays(500));
        long ancient = store.start("itpg", "backup", Trigger.SCHEDULED, old);
        store.finish(ancient, Outcome.SUCCESS, old.plusSeconds(60), 60_000, RunFigures.NONE);
        long recent = store.start("itpg", "backup", Trigger.SCHEDULED, Instant.now().minusSeconds(3600));
        store.finish(recent, Outcome.SUCCESS, Instant.now().minusSeconds(3500), 60_000, RunFigures.NONE);
        Map<JobKind, JobSettings> host = Map.of(JobKind.PRUNE_HISTORY, job(JobKind.PRUNE_HISTORY, "* * * * * ?", RetryPolicy.NONE));
        JobRegistry reg = new JobRegistry().register(new io.barmand.jobs.PruneHistoryService(store, Duration.ofDays(400), java.util.List.of())).register(new Held(JobKind.BACKUP));
        runner = new JobRunner(servers, host, reg, store, Limits.DEFAULTS, Clock.systemUTC(), delays);
        scheduler = new BarmandScheduler(servers, host, ZoneOffset.UTC, reg, runner, store, Limits.DEFAULTS, Clock.systemUTC());
        assertThat(scheduler.schedule()).isEqualTo(1);
        scheduler.start();
        await().atMost(WAIT).until(() -> first("", JobKind.PRUNE_HISTORY, Outcome.SUCCESS).isPresent());
        RunRecord r = first("", JobKind.PRUNE_HISTORY, Outcome.SUCCESS).orElseThrow();
        assertThat(r.server()).isEmpty();
        assertThat(r.trigger()).isEqualTo(Trigger.SCHEDULED);
        assertThat(r.facts().count("deleted")).contains(1L);
        assertThat(store.get(ancient)).isEmpty();
        assertThat(store.get(recent)).isPresent();
        assertThat(JobRunner.describe(r)).startsWith("run " + r.id() + " prune-history (scheduled): success");
        // on demand too; a server is refused, and a job of a server without one
        assertThat(runner.run(JobKind.PRUNE_HISTORY, "", Trigger.MANUAL).facts().count("deleted")).contains(0L);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(JobKind.PRUNE_HISTORY, "itpg", Trigger.MANUAL))
                .hasMessage("job 'prune-history' is a job of the host: it takes no server");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.run(JobKind.BACKUP, "", Trigger.MANUAL))
                .hasMessageStartingWith("job 'backup' needs a server");
    }
}
