package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.barmand.config.JobKind;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.job.JobService;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.testing.ManualDelays;
import io.barmand.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A run skipped because its server is busy is logged once per episode (its start, then its end with the count), while
 * each skipped run keeps its record; the clock is a fake one, moved a check interval per fire.
 */
class SkipLogTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-08T01:00:00Z"));
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    volatile CountDownLatch release = new CountDownLatch(1);
    RunStore store;
    JobRunner runner;

    @BeforeEach
    void setUp() {
        JobRegistry registry = new JobRegistry().register(JobRunnerTest.service(JobKind.CHECK, () -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return JobService.Result.ok(RunFigures.NONE);
        }));
        store = RunStore.open(tmp, true);
        runner = new JobRunner(Map.of("pg1", JobRunnerTest.server("pg1"), "pg2", JobRunnerTest.server("pg2")), registry,
                store, io.barmand.testing.Limits.DEFAULTS, clock, new ManualDelays());
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.barmand.run")).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        ((Logger) LoggerFactory.getLogger("io.barmand.run")).detachAppender(logs);
        store.close();
    }

    List<String> warnings(String containing) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(containing)).toList();
    }

    CompletableFuture<RunRecord> fire(String server) {
        return runner.submit(new RunRequest(JobKind.CHECK, server, Trigger.SCHEDULED, RunOptions.NONE, 1));
    }

    @Test
    void oneLineWhenTheEpisodeStartsOneWhenItEndsWithTheCountAndARecordPerSkippedRun() {
        CompletableFuture<RunRecord> running = fire("pg1");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runner.running().size() == 1);
        Instant since = clock.instant();
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMinutes(15));
            assertThat(fire("pg1").join().outcome()).isEqualTo(Outcome.SKIPPED);
        }
        // another server's episode is its own
        CompletableFuture<RunRecord> other = fire("pg2");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runner.running().size() == 2);
        assertThat(fire("pg2").join().outcome()).isEqualTo(Outcome.SKIPPED);

        List<String> started = warnings("skipped, server");
        assertThat(started).hasSize(2);
        long holder = store.lastRun("pg1", "check", false).orElseThrow().id();
        assertThat(started.get(0)).contains("pg1 check (scheduled): skipped, server pg1 busy: check (run " + holder
                + ") running since " + since).contains("further runs of it are recorded skipped, not logged");
        assertThat(store.list("pg1", "check", 100)).filteredOn(r -> r.outcome() == Outcome.SKIPPED).hasSize(20);

        release.countDown();
        running.join();
        other.join();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> warnings("no longer busy").size() == 2);
        assertThat(warnings("no longer busy")).anySatisfy(l -> assertThat(l).startsWith("pg1 check: no longer busy: 20 run(s) "
                + "skipped from " + since.plus(Duration.ofMinutes(15)) + " to " + clock.instant()));
        assertThat(warnings("no longer busy")).anySatisfy(l -> assertThat(l).startsWith("pg2 check: no longer busy: 1 run(s)"));

        // the next busy spell is a new episode, logged again
        release = new CountDownLatch(1);
        CompletableFuture<RunRecord> again = fire("pg1");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> runner.running().size() == 1);
        assertThat(fire("pg1").join().outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(warnings("skipped, server pg1")).hasSize(2);
        release.countDown();
        again.join();
    }

    @Test
    void episodesCountPerServerAndJob() {
        SkipEpisodes e = new SkipEpisodes();
        Instant t = Instant.parse("2026-12-08T01:00:00Z");
        assertThat(e.skipped("pg1", "check", "pg1 check", t, 7)).isTrue();
        assertThat(e.skipped("pg1", "check", "pg1 check", t.plusSeconds(900), 8)).isFalse();
        assertThat(e.skipped("pg1", "backup", "pg1 backup", t, 9)).isTrue();
        assertThat(e.ended("pg1", "check")).hasValue(new SkipEpisodes.Episode("pg1 check", t, 2, t.plusSeconds(900), 7));
        assertThat(e.ended("pg1", "check")).isEmpty();
        assertThat(e.open()).isEqualTo(1);
        assertThat(e.skipped("pg1", "check", "pg1 check", t.plusSeconds(1800), 10)).isTrue();
    }
}
