package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barmand.config.JobKind;
import io.barmand.config.ServerSettings;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.job.JobService;
import io.barmand.job.RunRequest;
import io.barmand.testing.Limits;
import io.barmand.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload's part in the runner: running runs keep their service, waiting ones take the new one or are recorded. */
class RunnerReconfigureTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T01:00:00Z"));
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    RunStore store;
    JobRunner runner;

    /** Backups that say which settings built them (their backup id); the "old" one blocks until released. */
    JobRegistry registry(String tag, boolean blocks) {
        return new JobRegistry().register(JobRunnerTest.service(JobKind.BACKUP, () -> {
            if (blocks) {
                entered.countDown();
                JobRunnerTest.awaitLatch(release);
            }
            return JobService.Result.ok(new RunFigures(tag, 1L, 1L, List.of(), null, null));
        }));
    }

    @BeforeEach
    void setUp() {
        store = RunStore.open(tmp, true);
        runner = new JobRunner(Map.of("pg1", JobRunnerTest.server("pg1"), "pg2", JobRunnerTest.server("pg2")),
                registry("old", true), store, Limits.heavy(1), clock);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        store.close();
    }

    @Test
    void theRunningRunKeepsItsServiceAWaitingOneTakesTheNewOneAndAGoneServerIsRecorded() throws Exception {
        CompletableFuture<RunRecord> running = runner.submit(RunRequest.of(JobKind.BACKUP, "pg1", Trigger.MANUAL));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // max-heavy-runs = 1: pg2's backup waits
        CompletableFuture<RunRecord> waiting = runner.submit(RunRequest.of(JobKind.BACKUP, "pg2", Trigger.MANUAL));
        assertThat(runner.queuedCount()).isEqualTo(1);

        // pg2 leaves the configuration: its waiting run is recorded, not dropped silently
        Map<String, ServerSettings> onlyPg1 = Map.of("pg1", JobRunnerTest.server("pg1"));
        assertThat(runner.reconfigure(onlyPg1, Map.of(), registry("new", false), Limits.heavy(1))).isEqualTo(1);
        RunRecord gone = waiting.get(5, TimeUnit.SECONDS);
        assertThat(gone.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(gone.error()).startsWith("configuration reloaded: unknown server 'pg2' (configured: pg1); queued since ");

        // pg1 and pg3 come with a bound of 2: a new run of pg3 starts at once, with the new service
        Map<String, ServerSettings> two = Map.of("pg1", JobRunnerTest.server("pg1"), "pg3", JobRunnerTest.server("pg3"));
        runner.reconfigure(two, Map.of(), registry("new", false), Limits.heavy(2));
        assertThat(runner.run(JobKind.BACKUP, "pg3", Trigger.MANUAL).backupId()).isEqualTo("new");
        assertThat(running).isNotDone();
        release.countDown();
        RunRecord first = running.get(10, TimeUnit.SECONDS);
        assertThat(first.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(first.backupId()).isEqualTo("old");
    }

    @Test
    void aHeldKindWaitsUntilReleasedAndStopAdmittingRecordsTheQueue() throws Exception {
        runner.hold(k -> k == JobKind.BACKUP, "barmand restarts when idle");
        CompletableFuture<RunRecord> held = runner.submit(RunRequest.of(JobKind.BACKUP, "pg2", Trigger.MANUAL));
        assertThat(held).isNotDone();
        assertThat(store.get(1).orElseThrow().outcome()).isEqualTo(Outcome.QUEUED);
        runner.hold(null, null);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<RunRecord> queued = runner.submit(RunRequest.of(JobKind.BACKUP, "pg1", Trigger.MANUAL));
        clock.advance(Duration.ofMinutes(2));
        runner.stopAdmitting("daemon stopping");
        RunRecord q = queued.get(5, TimeUnit.SECONDS);
        assertThat(q.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(q.error()).isEqualTo("daemon stopping: queued since 2026-11-24T01:00:00Z, never started");
        assertThat(q.waitedMs()).isEqualTo(120_000L);
        // the running one is not interrupted by stopAdmitting; awaitRunning bounds the wait
        assertThat(runner.awaitRunning(k -> k == JobKind.BACKUP, Duration.ofMillis(200), () -> false)).isFalse();
        assertThat(held).isNotDone();
        release.countDown();
        assertThat(runner.awaitRunning(k -> k == JobKind.BACKUP, Duration.ofSeconds(10), () -> false)).isTrue();
        assertThat(held.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCESS);
    }
}
