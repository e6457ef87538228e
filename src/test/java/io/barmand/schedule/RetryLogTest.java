package io.barmand.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.RetryPolicy;
import io.barmand.config.ServerSettings;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.job.JobService;
import io.barmand.testing.ManualDelays;
import io.barmand.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What the log says of a failed attempt: which attempt, which run, when the next one comes, or that none will. */
class RetryLogTest {
    @TempDir
    Path tmp;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T01:00:00Z"));
    final ManualDelays delays = new ManualDelays();
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    RunStore store;
    JobRunner runner;

    @BeforeEach
    void setUp() {
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        jobs.put(JobKind.BACKUP, io.barmand.testing.Jobs.settings(JobKind.BACKUP, "0 0 2 * * ?", Duration.ofMinutes(1),
                false, Duration.ofSeconds(5), false, new RetryPolicy(1, Duration.ofMinutes(30))));
        ServerSettings pg1 = io.barmand.testing.Jobs.server("pg1", ZoneOffset.UTC, jobs);
        JobRegistry registry = new JobRegistry().register(JobRunnerTest.service(JobKind.BACKUP,
                () -> JobService.Result.failed(RunFigures.error("barman backup failed"))));
        store = RunStore.open(tmp, true);
        runner = new JobRunner(Map.of("pg1", pg1), registry, store, io.barmand.testing.Limits.DEFAULTS, clock, delays);
        logs.start();
        ((Logger) LoggerFactory.getLogger("io.barmand.run")).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger("io.barmand.run")).detachAppender(logs);
        store.close();
    }

    List<String> lines(String containing) {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
    }

    @Test
    void aFailedAttemptNamesItsNumberAndTheDelayOfTheNextThenThatNoneIsLeft() {
        long first = runner.run(JobKind.BACKUP, "pg1", Trigger.SCHEDULED).id();
        // the retry is planned once the run's record is out
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delays.pending().size() == 1);
        assertThat(lines("failed; attempt")).containsExactly("run " + first + " pg1 backup: attempt 1 failed; attempt 2 in PT30M");

        assertThat(delays.fireAll()).isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !lines("no retry left").isEmpty());
        long second = store.lastRun("pg1", JobKind.BACKUP.id(), false).orElseThrow().id();
        assertThat(store.get(second).orElseThrow().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(lines("no retry left"))
                .containsExactly("run " + second + " pg1 backup: attempt 2 failed, no retry left (retry.max = 1)");
    }
}
