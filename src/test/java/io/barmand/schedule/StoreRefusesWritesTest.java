package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.barmand.config.JobKind;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.StoreFaults;
import io.barmand.history.Trigger;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
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
import org.slf4j.LoggerFactory;

/**
 * Issue 20, 2: a history file that refuses writes (another process holding SQLite's write lock, SQLITE_FULL) wedges
 * nothing: runs end with their outcomes, their server and the heavy slot are free, chained runs follow, the log says
 * it once per episode, and every record is written once the file takes writes again. Real SQLite file, real runner.
 */
class StoreRefusesWritesTest {
    static final RunStore.Tuning FAST = new RunStore.Tuning(Duration.ofMillis(500), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5));
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T01:00:00Z"));
    RunStore store;
    JobRunner runner;
    volatile CountDownLatch release = new CountDownLatch(0);
    final CountDownLatch entered = new CountDownLatch(1);
    final List<String> copied = new java.util.concurrent.CopyOnWriteArrayList<>();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    JobRegistry registry() {
        return new JobRegistry()
                .register(JobRunnerTest.service(JobKind.BACKUP, () -> {
                    entered.countDown();
                    JobRunnerTest.awaitLatch(release);
                    return JobService.Result.ok(new RunFigures("20261124T010000", 100L, 10L, List.of(), null, null));
                }))
                .register(JobRunnerTest.service(JobKind.CHECK, () -> JobService.Result.ok(RunFigures.NONE)))
                .register(new JobService() {
                    @Override
                    public JobKind kind() {
                        return JobKind.OFFSITE;
                    }

                    @Override
                    public void check(RunOptions options) {
                    }

                    @Override
                    public Result execute(RunContext ctx) {
                        copied.add(ctx.options().backupId().orElse("?"));
                        return Result.ok(RunFigures.NONE);
                    }
                });
    }

    @BeforeEach
    void setUp() {
        store = RunStore.open(tmp, true, FAST, clock);
        // one heavy slot: a run that kept it would stop every backup and copy
        runner = new JobRunner(Map.of("pg1", JobRunnerTest.server("pg1")), registry(), store, io.barmand.testing.Limits.heavy(1), clock);
        runner.followUps(List.of(FollowUps.after(JobKind.BACKUP, FollowUps.step(JobKind.OFFSITE, s -> true))));
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.barmand")).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger("io.barmand")).detachAppender(logs);
        store.close();
    }

    List<String> lines(String start) {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith(start)).toList();
    }

    /** The runs as the file has them, read by a connection of its own (as `barmand history` reads). */
    List<RunRecord> inFile() {
        try (RunStore ro = RunStore.open(tmp, false)) {
            return ro.list(null, null, 100);
        }
    }

    @Test
    void theStoreLockedByAnotherProcessFor15sWhileABackupEndsLosesNothingAndWedgesNothing() throws Exception {
        release = new CountDownLatch(1);
        CompletableFuture<RunRecord> backup = runner.submit(RunRequest.of(JobKind.BACKUP, "pg1", Trigger.SCHEDULED));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        long t0 = System.nanoTime();
        RunRecord next;
        try (StoreFaults.Locker locked = new StoreFaults.Locker(store.file())) {
            release.countDown();
            // the run ends while the file is locked: its record comes from memory, at once
            RunRecord ended = backup.get(10, TimeUnit.SECONDS);
            assertThat(ended.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(ended.backupId()).isEqualTo("20261124T010000");
            // its after-backup copy follows, then nothing runs: the server and the only heavy slot are free
            await().atMost(Duration.ofSeconds(10)).until(() -> copied.contains("20261124T010000") && runner.runningCount() == 0);
            assertThat(runner.queuedCount()).isZero();
            assertThat(store.trouble()).hasValueSatisfying(t -> assertThat(t.what()).isEqualTo("SQLITE_BUSY"));
            // the next runs, still locked: a check, then a backup (the heavy slot is not held)
            assertThat(runner.run(JobKind.CHECK, "pg1", Trigger.MANUAL).outcome()).isEqualTo(Outcome.SUCCESS);
            next = runner.run(JobKind.BACKUP, "pg1", Trigger.MANUAL);
            assertThat(next.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(inFile()).noneMatch(r -> r.id() == next.id());
            // held 15 s in all
            long left = Duration.ofSeconds(15).toMillis() - Duration.ofNanos(System.nanoTime() - t0).toMillis();
            await().pollDelay(Duration.ofMillis(Math.max(0, left))).atMost(Duration.ofSeconds(20)).until(() -> true);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> store.trouble().isEmpty());
        List<RunRecord> file = inFile();
        System.out.println("runs in the file after the lock: " + file.stream().map(r -> r.id() + " " + r.job() + " "
                + r.outcome().word()).toList());
        assertThat(file).extracting(r -> r.job() + " " + r.trigger().word() + " " + r.outcome().word()).containsExactlyInAnyOrder(
                "backup scheduled success", "offsite after-backup success", "check manual success", "backup manual success",
                "offsite after-backup success");
        assertThat(file).filteredOn(r -> r.id() == next.id()).singleElement()
                .satisfies(r -> assertThat(r.backupId()).isEqualTo("20261124T010000"));
        assertThat(lines("history store: SQLITE_BUSY since ")).hasSize(1);
        assertThat(lines("history store: writes accepted again after ")).hasSize(1);
        assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage))
                .allMatch(m -> m.startsWith("history store: "));
    }

    @Test
    void aFullStoreWedgesNothingAndTheOutcomesAreWrittenOnceThereIsRoom() throws Exception {
        StoreFaults.full(store);
        int n = 0;
        while (store.trouble().isEmpty() && n++ < 500) {
            assertThat(runner.run(JobKind.CHECK, "pg1", Trigger.SCHEDULED).outcome()).isEqualTo(Outcome.SUCCESS);
        }
        assertThat(store.trouble()).hasValueSatisfying(t -> assertThat(t.what()).isEqualTo("SQLITE_FULL"));
        for (int i = 0; i < 3; i++) {
            RunRecord b = runner.run(JobKind.BACKUP, "pg1", Trigger.MANUAL);
            assertThat(b.outcome()).isEqualTo(Outcome.SUCCESS);
            assertThat(store.get(b.id())).contains(b);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> copied.size() == 3 && runner.runningCount() == 0);
        assertThat(runner.queuedCount()).isZero();
        assertThat(inFile()).noneMatch(r -> r.job().equals("backup"));
        assertThat(lines("history store: SQLITE_FULL since ")).hasSize(1);
        // what the health check and a planned retry read: the runs kept in memory too
        assertThat(store.lastEnded("pg1", "backup")).hasValueSatisfying(r -> assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS));
        assertThat(store.last("pg1", "offsite", Outcome.SUCCESS)).isPresent();

        StoreFaults.roomAgain(store);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.trouble().isEmpty());
        List<RunRecord> file = inFile();
        assertThat(file).filteredOn(r -> r.job().equals("backup")).hasSize(3).allMatch(r -> r.outcome() == Outcome.SUCCESS);
        assertThat(file).filteredOn(r -> r.job().equals("offsite")).hasSize(3).allMatch(r -> r.outcome() == Outcome.SUCCESS);
        assertThat(file).filteredOn(r -> r.job().equals("check")).hasSize(n).allMatch(r -> r.outcome() == Outcome.SUCCESS);
        assertThat(file).noneMatch(r -> r.outcome() == Outcome.RUNNING || r.outcome() == Outcome.QUEUED);
        assertThat(lines("history store: writes accepted again after ")).hasSize(1);
        assertThat(logs.list).noneMatch(e -> e.getThrowableProxy() != null);
    }

    @Test
    void recordsTheFileNeverTookAreLoggedWholeAtClose() throws Exception {
        StoreFaults.full(store);
        RunRecord last = null;
        for (int n = 0; store.trouble().isEmpty() && n < 500; n++) {
            last = runner.run(JobKind.CHECK, "pg1", Trigger.SCHEDULED);
        }
        store.close();
        assertThat(lines("history store: ")).anyMatch(l -> l.contains("lost from the history"));
        store = RunStore.open(tmp, true);
        long lastId = last.id();
        assertThat(store.get(lastId)).isEmpty();
    }
}
