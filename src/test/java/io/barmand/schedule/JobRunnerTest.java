package io.barmand.schedule;

import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.job.JobService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T01:00:00Z"));
    RunStore store;
    JobRunner runner;
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);

    /** A backup that blocks until released; a check that succeeds; a switch-wal that waits to be interrupted. */
    JobRegistry registry() {
        return new JobRegistry()
                .register(service(JobKind.BACKUP, () -> {
                    entered.countDown();
                    awaitLatch(release);
                    return JobService.Result.ok(new RunFigures("20261124T010000", 100L, 10L, List.of(), null, null));
                }))
                .register(service(JobKind.CHECK, () -> JobService.Result.failed(
                        new RunFigures(null, null, null, List.of("wal_archive"), "failed checks: wal_archive", null))))
                .register(service(JobKind.SWITCH_WAL, () -> {
                    entered.countDown();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        throw new BarmandException(Category.INTERRUPTED, "interrupted (daemon stopping)");
                    }
                    return JobService.Result.ok(RunFigures.NONE);
                }));
    }

    static void awaitLatch(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new BarmandException(Category.INTERRUPTED, "interrupted");
        }
    }

    static JobService service(JobKind k, java.util.function.Supplier<JobService.Result> body) {
        return new JobService() {
            @Override
            public JobKind kind() {
                return k;
            }

            @Override
            public Result execute(RunContext ctx) {
                return body.get();
            }
        };
    }

    static ServerSettings server(String name) {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        for (JobKind k : JobKind.values()) {
            jobs.put(k, io.barmand.testing.Jobs.settings(k, "0 0 2 * * ?", Duration.ofMinutes(1), k == JobKind.BACKUP,
                    Duration.ofSeconds(5), false));
        }
        return io.barmand.testing.Jobs.server(name, ZoneOffset.UTC, jobs);
    }

    @BeforeEach
    void setUp() {
        store = RunStore.open(tmp, true);
        runner = new JobRunner(Map.of("pg1", server("pg1"), "pg2", server("pg2")), registry(), store, io.barmand.testing.Limits.DEFAULTS, clock);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        store.close();
    }

    @Test
    void aSecondRunOfTheSameKindIsSkippedWhileACheckOfTheServerRunsAtOnce() throws Exception {
        CompletableFuture<RunRecord> backup = CompletableFuture.supplyAsync(() -> runner.run(JobKind.BACKUP, "pg1", Trigger.SCHEDULED));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(Duration.ofMinutes(3));
        RunRecord again = runner.run(JobKind.BACKUP, "pg1", Trigger.MANUAL);
        RunRecord check = runner.run(JobKind.CHECK, "pg1", Trigger.SCHEDULED);
        assertThat(again.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(again.trigger()).isEqualTo(Trigger.MANUAL);
        assertThat(again.error()).matches("server pg1 busy: backup \\(run \\d+\\) running since 2026-11-24T01:00:00Z");
        // a check never waits for a backup of its server
        assertThat(check.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(check.waitedMs()).isZero();
        assertThat(runner.run(JobKind.CHECK, "pg2", Trigger.SCHEDULED).outcome()).isEqualTo(Outcome.FAILED);
        release.countDown();
        RunRecord done = backup.get(10, TimeUnit.SECONDS);
        assertThat(done.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(done.backupId()).isEqualTo("20261124T010000");
        assertThat(done.durationMs()).isNotNull();
        assertThat(done.attempt()).isEqualTo(1);
        // the kind is free again
        assertThat(runner.run(JobKind.BACKUP, "pg1", Trigger.MANUAL).outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @Test
    void failedChecksAreRecorded() {
        RunRecord r = runner.run(JobKind.CHECK, "pg1", Trigger.MANUAL);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.failedChecks()).containsExactly("wal_archive");
        assertThat(store.get(r.id()).orElseThrow().failedChecks()).containsExactly("wal_archive");
    }

    @Test
    void interruptAllRecordsInterruptedAndRefusesNewRuns() throws Exception {
        CompletableFuture<RunRecord> sw = CompletableFuture.supplyAsync(() -> runner.run(JobKind.SWITCH_WAL, "pg1", Trigger.SCHEDULED));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        await().until(() -> runner.runningCount() == 1);
        runner.interruptAll();
        assertThat(runner.awaitIdle(Duration.ofSeconds(10))).isTrue();
        RunRecord r = sw.get(10, TimeUnit.SECONDS);
        assertThat(r.outcome()).isEqualTo(Outcome.INTERRUPTED);
        assertThat(r.error()).contains("interrupted");
        RunRecord late = runner.run(JobKind.CHECK, "pg1", Trigger.SCHEDULED);
        assertThat(late.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(late.error()).isEqualTo("daemon stopping");
    }

    @Test
    void unknownServerIsAUsageError() {
        assertThatThrownBy(() -> runner.run(JobKind.CHECK, "pg9", Trigger.MANUAL)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("unknown server 'pg9'")
                .extracting(e -> ((BarmandException) e).exitCode()).isEqualTo(64);
    }

    @Test
    void aJobThatIsOffForTheServerIsAUsageErrorNamingItsKeyWithNothingRecorded() throws Exception {
        // as the configuration reads them: offsite and retention off (their defaults)
        Path f = tmp.resolve("off.conf");
        java.nio.file.Files.writeString(f, "barmand { state-dir = \"" + tmp.resolve("s") + "\", barman.binary = \"/bin/true\"\n"
                + "servers { pg1 {} } }\n");
        io.barmand.config.Settings s = io.barmand.config.Settings.load(f, null);
        JobRegistry all = registry();
        for (JobKind k : List.of(JobKind.OFFSITE, JobKind.RETENTION, JobKind.RESTORE_TEST)) {
            all.register(service(k, () -> JobService.Result.ok(RunFigures.NONE)));
        }
        runner.reconfigure(s.servers(), Map.of(), all, s.scheduler());
        assertThatThrownBy(() -> runner.run(JobKind.OFFSITE, "pg1", Trigger.MANUAL)).isInstanceOf(BarmandException.class)
                .hasMessage("job 'offsite' is off for server 'pg1': barmand.servers.pg1.offsite.enabled = true turns it on "
                        + "(with the bucket; reference.conf, block offsite)")
                .extracting(e -> ((BarmandException) e).exitCode()).isEqualTo(64);
        assertThatThrownBy(() -> runner.run(JobKind.RETENTION, "pg1", Trigger.MANUAL))
                .hasMessageContaining("barmand.servers.pg1.retention.enabled = true turns it on");
        assertThatThrownBy(() -> runner.run(JobKind.RESTORE_TEST, "pg1", Trigger.MANUAL,
                RunOptions.source(io.barmand.vocabulary.RestoreSource.S3)))
                .hasMessageContaining("from S3 reads its offsite copy, but offsite is off: barmand.servers.pg1.offsite.enabled");
        assertThat(store.list(null, null, 100)).isEmpty();
        // what is on still runs
        assertThat(runner.run(JobKind.CHECK, "pg1", Trigger.MANUAL).outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void describeGivesTheFiguresOnOneLine() {
        release.countDown();
        RunRecord r = runner.run(JobKind.BACKUP, "pg1", Trigger.CATCH_UP);
        assertThat(JobRunner.describe(r)).startsWith("run " + r.id() + " pg1 backup (catch-up): success in ")
                .contains("backup 20261124T010000, 100 B, 10 B/s");
    }

    @Test
    void aRunsThreadNamesItsServerJobRunIdAndBackupIdInTheMdcThenForgetsThem() {
        List<Map<String, String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobService copy = new JobService() {
            @Override
            public JobKind kind() {
                return JobKind.OFFSITE;
            }

            @Override
            public void check(RunOptions options) {
            }

            @Override
            public Result execute(RunContext ctx) {
                Map<String, String> m = org.slf4j.MDC.getCopyOfContextMap();
                seen.add(m == null ? Map.of() : m);
                return Result.ok(RunFigures.NONE);
            }
        };
        runner = new JobRunner(Map.of("pg1", server("pg1"), "pg2", server("pg2")), registry().register(copy),
                store, io.barmand.testing.Limits.DEFAULTS, clock);
        long first = runner.run(JobKind.OFFSITE, "pg1", Trigger.MANUAL, RunOptions.backup("20261124T010203")).id();
        long second = runner.run(JobKind.OFFSITE, "pg2", Trigger.SCHEDULED).id();
        assertThat(seen.get(0)).containsExactlyInAnyOrderEntriesOf(Map.of("SERVER", "pg1", "JOB", "offsite",
                "RUN_ID", Long.toString(first), "BACKUP_ID", "20261124T010203"));
        // the pool's thread (reused: a cached pool) keeps nothing of the run before
        assertThat(seen.get(1)).containsExactlyInAnyOrderEntriesOf(Map.of("SERVER", "pg2", "JOB", "offsite",
                "RUN_ID", Long.toString(second)));
        assertThat(org.slf4j.MDC.getCopyOfContextMap()).as("the caller's thread").isNullOrEmpty();
    }

    @Test
    void runOptionsReachOnlyTheirOwnRunAndAreRefusedByJobsThatTakeNone() {
        List<RunContext> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobService withOptions = new JobService() {
            @Override
            public JobKind kind() {
                return JobKind.OFFSITE;
            }

            @Override
            public void check(RunOptions options) {
                if (options.target().isPresent()) {
                    throw new BarmandException(Category.USAGE, "--target is for restore-test only");
                }
            }

            @Override
            public Result execute(RunContext ctx) {
                seen.add(ctx);
                return Result.ok(RunFigures.NONE);
            }
        };
        runner = new JobRunner(Map.of("pg1", server("pg1")), registry().register(withOptions),
                store, io.barmand.testing.Limits.DEFAULTS, clock);

        assertThat(runner.run(JobKind.OFFSITE, "pg1", Trigger.MANUAL, RunOptions.backup("20261124T010203")).outcome())
                .isEqualTo(Outcome.SUCCESS);
        assertThat(runner.run(JobKind.OFFSITE, "pg1", Trigger.SCHEDULED).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(seen).extracting(c -> c.options().backupId().orElse("")).containsExactly("20261124T010203", "");
        // the context: its run id, the server's job settings, a deadline = start + the job's timeout (1 min)
        RunContext first = seen.get(0);
        assertThat(first.server()).isEqualTo("pg1");
        assertThat(first.runId()).isPositive();
        assertThat(first.deadline()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(first.settings().kind()).isEqualTo(JobKind.OFFSITE);

        int before = store.list("pg1", null, 100).size();
        assertThatThrownBy(() -> runner.run(JobKind.OFFSITE, "pg1", Trigger.MANUAL, RunOptions.parse(null, "end-of-wal")))
                .isInstanceOf(BarmandException.class).hasMessageContaining("--target is for restore-test only");
        assertThatThrownBy(() -> runner.run(JobKind.CHECK, "pg1", Trigger.MANUAL, RunOptions.backup("20261124T010203")))
                .isInstanceOf(BarmandException.class).hasMessageContaining("job 'check' takes no option");
        assertThat(store.list("pg1", null, 100)).hasSize(before);
    }

    @Test
    void aRunStillGoingPastItsTimeoutIsCutShortAndRecordedFailed() {
        // switch-wal ignores its deadline (timeout 200 ms) and waits to be interrupted; the runner's watchdog cuts it
        // short once the grace (100 ms here, 30 s in the daemon) has passed too
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.SWITCH_WAL, io.barmand.testing.Jobs.settings(JobKind.SWITCH_WAL, "0 0 2 * * ?", Duration.ofMillis(200),
                false, Duration.ofSeconds(5), false));
        runner = new JobRunner(Map.of("pg1", io.barmand.testing.Jobs.server("pg1", ZoneOffset.UTC, jobs)), registry(), store,
                io.barmand.testing.Limits.DEFAULTS, clock);
        runner.overrunGrace(Duration.ofMillis(100));
        RunRecord r = runner.run(JobKind.SWITCH_WAL, "pg1", Trigger.MANUAL);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.error()).startsWith("timeout: cut short PT0.1S past its timeout of PT0.2S (switch-wal.timeout): ");
        assertThat(runner.runningCount()).isZero();
    }
}
