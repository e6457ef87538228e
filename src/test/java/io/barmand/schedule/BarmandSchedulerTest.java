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
        JobRegistry reg = new JobRegistry().register(new CheckService(client), Adapters.CheckJob.class)
                .register(new SwitchWalService(client), Adapters.SwitchWalJob.class)
                .register(new BackupService(client, servers), Adapters.BackupJob.class);
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
            assertThat(e.fake().calls()).startsWith("switch-wal --archive --archive-timeout 5 itpg", "backup --wait itpg",
                    "show-backup itpg 20261123T235922");
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
                new BackupService(null, servers), Adapters.BackupJob.class),
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
}
