package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.jobs.BackupService;
import io.barmand.jobs.CheckService;
import io.barmand.jobs.SwitchWalService;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import io.barmand.vocabulary.RestoreSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Quartz scheduler and services against a fake barman. */
class BarmandSchedulerTest {
    @TempDir
    Path tmp;

    static ServerSettings server(String name, String check, String sw, String backup) {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.CHECK, io.barmand.testing.Jobs.settings(JobKind.CHECK, check, Duration.ofSeconds(20), false, Duration.ZERO, false));
        jobs.put(JobKind.SWITCH_WAL, io.barmand.testing.Jobs.settings(JobKind.SWITCH_WAL, sw, Duration.ofSeconds(20), false, Duration.ofSeconds(5), false));
        jobs.put(JobKind.BACKUP, io.barmand.testing.Jobs.settings(JobKind.BACKUP, backup, Duration.ofSeconds(20), true, Duration.ZERO, false));
        return io.barmand.testing.Jobs.server(name, ZoneOffset.UTC, jobs);
    }

    record Env(BarmandScheduler scheduler, RunStore store, FakeBarman fake) {
    }

    Env env(Map<String, ServerSettings> servers) {
        FakeBarman fake = new FakeBarman(tmp.resolve("bin"));
        fake.answer("check", "check-failed.json", 1).answer("switch-wal", "switch-wal.json", 0)
                .answer("backup", "backup.json", 0).answer("show-backup", "show-backup.json", 0);
        BarmanClient client = new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), fake.script(), Optional.empty());
        JobRegistry reg = new JobRegistry().register(new CheckService(client))
                .register(new SwitchWalService(client))
                .register(new BackupService(client, servers));
        RunStore store = RunStore.open(tmp.resolve("state"), true);
        JobRunner runner = new JobRunner(servers, reg, store, io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC());
        return new Env(new BarmandScheduler(servers, reg, runner, store, io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC()),
                store, fake);
    }

    @Test
    void scheduledBackupRunsSwitchWalThenBackupAndRecordsFigures() {
        // "itpg" is the server in the canned JSON
        Env e = env(Map.of("itpg", server("itpg", null, null, "* * * * * ?")));
        try {
            assertThat(e.scheduler().schedule()).isEqualTo(1);
            e.scheduler().start();
            await().atMost(Duration.ofSeconds(15)).until(() -> e.store().lastRun("itpg", "backup", false)
                    .filter(r -> r.outcome() != Outcome.RUNNING).isPresent());
            RunRecord r = e.store().lastRun("itpg", "backup", false).orElseThrow();
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(r.trigger()).isEqualTo(Trigger.SCHEDULED);
            assertThat(r.backupId()).isEqualTo("20261123T235922");
            assertThat(r.sizeBytes()).isEqualTo(23191918L);
            assertThat(r.throughputBytesPerSec()).isEqualTo(2956231L);
            // the same figures as typed facts, as history --json shows them
            assertThat(r.facts().bytes("size")).contains(23191918L);
            assertThat(r.facts().seconds("copy")).hasValueSatisfying(t -> assertThat(t).isPositive());
            assertThat(io.barmand.history.RunJson.toJson(r).path("facts").path("size-with-wals").path("unit").asText())
                    .isEqualTo("bytes");
            assertThat(e.fake().calls()).startsWith("switch-wal --archive --archive-timeout 5 -- itpg", "backup --wait -- itpg",
                    "show-backup -- itpg 20261123T235922");
        } finally {
            e.scheduler().shutdown();
            e.store().close();
        }
    }

    @Test
    void scheduledCheckRecordsFailedChecks() {
        Env e = env(Map.of("itbad", server("itbad", "* * * * * ?", null, null)));
        try {
            e.scheduler().schedule();
            e.scheduler().start();
            await().atMost(Duration.ofSeconds(15)).until(() -> e.store().lastRun("itbad", "check", false)
                    .filter(r -> r.outcome() != Outcome.RUNNING).isPresent());
            RunRecord r = e.store().lastRun("itbad", "check", false).orElseThrow();
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.failedChecks()).contains("postgresql", "wal_archive");
            assertThat(r.error()).contains("postgresql");
        } finally {
            e.scheduler().shutdown();
            e.store().close();
        }
    }

    @Test
    void aFireTimeThatMeetsARunningBackupOfItsServerIsRecordedSkipped() {
        // every second, but the first backup holds on: each fire time meanwhile is skipped (its kind is running),
        // never a second backup of the server at once
        Env e = env(Map.of("itpg", server("itpg", null, null, "* * * * * ?")));
        e.fake().hold("backup");
        try {
            e.scheduler().schedule();
            e.scheduler().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> e.store().list("itpg", "backup", 50).stream()
                    .anyMatch(r -> r.outcome() == Outcome.SKIPPED));
            RunRecord skipped = e.store().list("itpg", "backup", 50).stream().filter(r -> r.outcome() == Outcome.SKIPPED)
                    .findFirst().orElseThrow();
            assertThat(skipped.error()).matches("server itpg busy: backup \\(run \\d+\\) running since .*");
            assertThat(e.store().list("itpg", "backup", 50)).filteredOn(r -> r.outcome() == Outcome.RUNNING).hasSize(1);
            // a fire time can meet the running backup while it is still in its switch-wal step (seen on a loaded
            // machine): wait until it is held in `barman backup`, then there is exactly one, and still one run
            await().atMost(Duration.ofSeconds(30)).until(() -> e.fake().holding("backup") >= 1);
            assertThat(e.fake().holding("backup")).isEqualTo(1);
            assertThat(e.store().list("itpg", "backup", 50)).filteredOn(r -> r.outcome() == Outcome.RUNNING).hasSize(1);
        } finally {
            // no new fire time first, then the held backup let go and gone: nothing writes into the test's folder
            // while JUnit removes it
            e.scheduler().standby();
            e.fake().release("backup");
            await().atMost(Duration.ofSeconds(30)).until(() -> e.fake().holding("backup") == 0);
            e.scheduler().shutdown();
            e.store().close();
        }
    }

    @Test
    void aBackupMissedWhileStoppedIsCaughtUpOnceAfterStart() {
        Env e = env(Map.of("itpg", server("itpg", null, null, "0 0 2 * * ?")));
        try {
            // barmand was installed long before last night's 02:00, nothing ran since
            e.store().recordDaemonStart(Instant.now().minus(Duration.ofDays(3)), "old");
            e.scheduler().schedule();
            assertThat(e.scheduler().catchUps()).containsExactly(BarmandScheduler.key("itpg", JobKind.BACKUP));
            e.scheduler().start();
            await().atMost(Duration.ofSeconds(15)).until(() -> e.store().lastRun("itpg", "backup", false)
                    .filter(r -> r.outcome() == Outcome.SUCCESS).isPresent());
            assertThat(e.store().lastRun("itpg", "backup", false).orElseThrow().trigger()).isEqualTo(Trigger.CATCH_UP);
        } finally {
            e.scheduler().shutdown();
        }
        // a second start: the catch-up happened, nothing more to catch up
        Env again = new Env(null, e.store(), e.fake());
        Map<String, ServerSettings> servers = Map.of("itpg", server("itpg", null, null, "0 0 2 * * ?"));
        BarmandScheduler s2 = new BarmandScheduler(servers, new JobRegistry().register(
                new BackupService(null, servers)),
                new JobRunner(servers, new JobRegistry(), again.store(), io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC()),
                again.store(), io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC());
        try {
            s2.schedule();
            assertThat(s2.catchUps()).isEmpty();
        } finally {
            s2.shutdown();
            e.store().close();
        }
    }

    /** A restore test that records the source each run asked for, and passes. */
    static final class SourceRecorder implements io.barmand.job.JobService {
        final java.util.List<Optional<RestoreSource>> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public JobKind kind() {
            return JobKind.RESTORE_TEST;
        }

        @Override
        public void check(io.barmand.job.RunOptions options) {
        }

        @Override
        public Result execute(io.barmand.job.RunContext ctx) {
            sources.add(ctx.options().source());
            return Result.ok(io.barmand.history.RunFigures.NONE);
        }
    }

    static ServerSettings withRestoreTests(String name, String daily, String fromS3, boolean catchUp) {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.RESTORE_TEST, io.barmand.testing.Jobs.settings(JobKind.RESTORE_TEST, daily, Duration.ofSeconds(20),
                catchUp, Duration.ZERO, false));
        return new ServerSettings(name, ZoneOffset.UTC, jobs, null, null, Optional.empty(),
                Optional.ofNullable(fromS3).map(c -> new io.barmand.config.Schedule(c, ZoneOffset.UTC)));
    }

    BarmandScheduler restoreScheduler(Map<String, ServerSettings> servers, SourceRecorder rec, RunStore store) {
        JobRegistry reg = new JobRegistry().register(rec);
        JobRunner runner = new JobRunner(servers, reg, store, io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC());
        return new BarmandScheduler(servers, reg, runner, store, io.barmand.testing.Limits.DEFAULTS, Clock.systemUTC());
    }

    /**
     * The start parses each distinct schedule once, its triggers sharing it: what Quartz holds (each trigger's own copy)
     * fires as each schedule says, and the next fire times barmand reports (STATUS=) from the schedules registered are
     * those Quartz holds. Three servers sharing schedules, one with its own, a backup that never fires again.
     */
    @Test
    void triggersSharingASchedulePerServerFireAsItSaysAndTheNextFireTimesAreThoseQuartzHolds() throws Exception {
        Map<String, ServerSettings> servers = new java.util.LinkedHashMap<>();
        for (String n : java.util.List.of("pg1", "pg2", "pg3")) {
            servers.put(n, server(n, "0 0 4 * * ?", "0 5 4 * * ?", "0 10 4 * * ?"));
        }
        servers.put("pg4", server("pg4", "0 */15 * * * ?", "0 5 4 * * ?", "0 0 0 1 1 ? 2020"));
        Env e = env(servers);
        try {
            assertThat(e.scheduler().schedule()).as("11 triggers: pg4's backup never fires again").isEqualTo(11);
            Instant now = Instant.now();
            java.util.List<Map.Entry<org.quartz.JobKey, Instant>> next = e.scheduler().nextFires();
            // the same jobs and times (the order of equal times aside)
            assertThat(next).hasSize(11).containsExactlyInAnyOrderElementsOf(e.scheduler().quartzNextFires());
            assertThat(next.get(0).getKey()).isEqualTo(BarmandScheduler.key("pg4", JobKind.CHECK));
            assertThat(next.get(0).getValue()).isEqualTo(new io.barmand.config.Schedule("0 */15 * * * ?", ZoneOffset.UTC)
                    .next(now).orElseThrow());
            assertThat(next).filteredOn(x -> x.getKey().getName().equals("backup")).hasSize(3)
                    .allSatisfy(x -> assertThat(x.getValue()).isEqualTo(new io.barmand.config.Schedule("0 10 4 * * ?",
                            ZoneOffset.UTC).next(now).orElseThrow()));
        } finally {
            e.scheduler().shutdown();
            e.store().close();
        }
    }

    @Test
    void theRestoreTestsSecondScheduleFiresItsOwnTriggerWhoseRunsReadS3AndRecordIt() {
        // daily at 03:00 (not now) from the configured source, every second from S3
        Map<String, ServerSettings> servers = Map.of("itpg", withRestoreTests("itpg", "0 0 3 * * ?", "* * * * * ?", false));
        SourceRecorder rec = new SourceRecorder();
        RunStore store = RunStore.open(tmp.resolve("state"), true);
        BarmandScheduler s = restoreScheduler(servers, rec, store);
        try {
            assertThat(s.schedule()).as("two triggers of one job").isEqualTo(2);
            s.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> store.lastRun("itpg", "restore-test", false)
                    .filter(r -> r.outcome() == Outcome.SUCCESS).isPresent());
            assertThat(rec.sources).first().isEqualTo(Optional.of(RestoreSource.S3));
            RunRecord r = store.lastRun("itpg", "restore-test", false).orElseThrow();
            assertThat(r.trigger()).isEqualTo(Trigger.SCHEDULED);
            // the service gave no facts: the runner records the run's source all the same
            assertThat(r.facts().text("source")).contains("s3");
        } finally {
            s.shutdown();
            store.close();
        }
    }

    @Test
    void aMissedTestFromS3IsCaughtUpEvenWhenATestFromBarmanRanSince() {
        // the daily test from Barman ran after its last fire time; the weekly one from S3 did not since its own
        Map<String, ServerSettings> servers = Map.of("itpg", withRestoreTests("itpg", "0 0 3 * * ?", "0 0 4 ? * SUN", true));
        SourceRecorder rec = new SourceRecorder();
        RunStore store = RunStore.open(tmp.resolve("state"), true);
        store.recordDaemonStart(Instant.now().minus(Duration.ofDays(30)), "old");
        long id = store.start("itpg", "restore-test", Trigger.SCHEDULED, Instant.now().minusSeconds(60));
        store.finish(id, Outcome.SUCCESS, Instant.now().minusSeconds(30), 30_000, new io.barmand.history.RunFigures(null, null,
                null, java.util.List.of(), null, null, io.barmand.history.Facts.builder().text("source", "barman").build()));
        BarmandScheduler s = restoreScheduler(servers, rec, store);
        try {
            s.schedule();
            assertThat(s.catchUps()).containsExactly(BarmandScheduler.key("itpg", JobKind.RESTORE_TEST));
            s.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> store.lastRun("itpg", "restore-test", false)
                    .filter(r -> r.id() != id && r.outcome() == Outcome.SUCCESS).isPresent());
            RunRecord r = store.lastRun("itpg", "restore-test", false).orElseThrow();
            assertThat(r.trigger()).isEqualTo(Trigger.CATCH_UP);
            assertThat(r.facts().text("source")).contains("s3");
            assertThat(rec.sources).containsExactly(Optional.of(RestoreSource.S3));
        } finally {
            s.shutdown();
        }
        // once it ran, a start has nothing to catch up
        BarmandScheduler again = restoreScheduler(servers, new SourceRecorder(), store);
        try {
            again.schedule();
            assertThat(again.catchUps()).isEmpty();
        } finally {
            again.shutdown();
            store.close();
        }
    }
}
