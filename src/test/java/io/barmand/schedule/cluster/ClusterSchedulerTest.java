package io.barmand.schedule.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.RetryPolicy;
import io.barmand.config.Schedule;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.vocabulary.Capability;
import io.barmand.vocabulary.RestoreSource;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.SimpleTrigger;

/** The clustered scheduler's jobs and triggers as it stores them, and the floating work's run through the runner. */
class ClusterSchedulerTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void everyTriggerCarriesAnExplicitMisfireInstruction() {
        FloatingSchedule daily = new FloatingSchedule.Cron("0 0 3 * * ?", PARIS);
        CronTrigger restore = (CronTrigger) ClusterScheduler.trigger(new FloatingJobSpec(FloatingKind.RESTORE_TEST_S3, "pg1", daily));
        assertThat(restore.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
        assertThat(restore.getTimeZone().getID()).isEqualTo("Europe/Paris");
        CronTrigger watch = (CronTrigger) ClusterScheduler.trigger(FloatingJobSpec.fleet(FloatingKind.WATCH,
                new FloatingSchedule.Cron("0 * * * * ?", PARIS)));
        assertThat(watch.getMisfireInstruction()).isEqualTo(CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);
        SimpleTrigger every = (SimpleTrigger) ClusterScheduler.trigger(FloatingJobSpec.fleet(FloatingKind.WATCH,
                new FloatingSchedule.Every(Duration.ofMinutes(1))));
        assertThat(every.getMisfireInstruction()).isEqualTo(SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT);
        for (FloatingKind k : FloatingKind.values()) {
            assertThat(ClusterScheduler.trigger(new FloatingJobSpec(k, "s", daily)).getMisfireInstruction())
                    .as(k.id()).isNotEqualTo(org.quartz.Trigger.MISFIRE_INSTRUCTION_SMART_POLICY);
        }
    }

    @Test
    void jobsRequestRecoveryAndCarryTheirKindAndServerAsText() {
        FloatingJobSpec spec = new FloatingJobSpec(FloatingKind.RESTORE_TEST_S3, "pg1", new FloatingSchedule.Every(Duration.ofHours(1)));
        JobDetail jd = ClusterScheduler.job(spec);
        assertThat(jd.requestsRecovery()).isTrue();
        assertThat(jd.isDurable()).isTrue();
        assertThat(jd.isConcurrentExecutionDisallowed()).as("one run of a job in the whole fleet at a time").isTrue();
        assertThat(jd.getKey().toString()).isEqualTo("restore-test-s3.pg1");
        assertThat(jd.getJobDataMap().getWrappedMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of(FloatingJob.KIND, "restore-test-s3", FloatingJob.SERVER, "pg1"));
    }

    @Test
    void aScheduleIsTheSameOnlyWithTheSameExpressionZoneAndInstruction() {
        FloatingJobSpec a = new FloatingJobSpec(FloatingKind.REPORT, "", new FloatingSchedule.Cron("0 0 7 * * ?", PARIS));
        assertThat(ClusterScheduler.sameSchedule(ClusterScheduler.trigger(a), ClusterScheduler.trigger(a))).isTrue();
        FloatingJobSpec utc = new FloatingJobSpec(FloatingKind.REPORT, "", new FloatingSchedule.Cron("0 0 7 * * ?", ZoneId.of("UTC")));
        assertThat(ClusterScheduler.sameSchedule(ClusterScheduler.trigger(a), ClusterScheduler.trigger(utc))).isFalse();
        FloatingJobSpec eight = new FloatingJobSpec(FloatingKind.REPORT, "", new FloatingSchedule.Cron("0 0 8 * * ?", PARIS));
        assertThat(ClusterScheduler.sameSchedule(ClusterScheduler.trigger(a), ClusterScheduler.trigger(eight))).isFalse();
    }

    @Test
    void aNodeDeclaringACapabilityItCannotRunIsRefused() {
        assertThatThrownBy(() -> new ClusterScheduler(null, ClusterSettings.of("n1", Set.of(Capability.WATCH)), Map.of()))
                .isInstanceOf(BarmandException.class).hasMessage("node n1 declares watch but this barmand cannot run the watch job there");
    }

    static RunRecord record(Outcome outcome, String error) {
        Instant t = Instant.parse("2026-12-08T03:00:00Z");
        return new RunRecord(7, "pg1", "restore-test", Trigger.RECOVERED, t, t, outcome, 0L, null, null, null, List.of(),
                error, null, t, 0L, 1, null);
    }

    @Test
    void aRecoveredRunGoesThroughTheRunnerRecordedAsRecovered() throws Exception {
        List<RunRequest> asked = new ArrayList<>();
        FloatingWork work = FloatingWork.through(r -> {
            asked.add(r);
            return CompletableFuture.completedFuture(record(Outcome.SUCCESS, null));
        }, JobKind.RESTORE_TEST, RunOptions.source(RestoreSource.S3));
        Instant t = Instant.parse("2026-12-08T03:00:00Z");
        work.run(new FloatingRun(FloatingKind.RESTORE_TEST_S3, "pg1", "n2", t, t.plusSeconds(15), true));
        work.run(new FloatingRun(FloatingKind.RESTORE_TEST_S3, "pg1", "n2", t, t, false));
        assertThat(asked).extracting(RunRequest::trigger).containsExactly(Trigger.RECOVERED, Trigger.SCHEDULED);
        assertThat(asked.get(0).server()).isEqualTo("pg1");
        assertThat(asked.get(0).options().source()).contains(RestoreSource.S3);
    }

    @Test
    void aFailedRunFailsTheFloatingJob() {
        FloatingWork work = FloatingWork.through(r -> CompletableFuture.completedFuture(record(Outcome.FAILED, "no backup in S3")),
                JobKind.RESTORE_TEST, RunOptions.NONE);
        Instant t = Instant.parse("2026-12-08T03:00:00Z");
        assertThatThrownBy(() -> work.run(new FloatingRun(FloatingKind.RESTORE_TEST_S3, "pg1", "n2", t, t, false)))
                .hasMessageContaining("run 7 failed: no backup in S3");
    }

    @Test
    void theSettingsDeclareEachServersRestoreTestFromS3AndTheReport() {
        Instant now = Instant.parse("2026-12-08T00:00:00Z");
        JobSettings restore = new JobSettings(JobKind.RESTORE_TEST, Optional.of(Schedule.parse("0 2 * * *", PARIS, now)),
                Duration.ofHours(1), false, Duration.ZERO, false, RetryPolicy.NONE);
        Schedule sundays = Schedule.parse("0 4 * * 0", PARIS, now);
        ServerSettings pg1 = new ServerSettings("pg1", PARIS, Map.of(JobKind.RESTORE_TEST, restore), null, null,
                Optional.empty(), Optional.of(sundays));
        ServerSettings pg2 = new ServerSettings("pg2", PARIS, Map.of(JobKind.RESTORE_TEST, restore), null, null);
        JobSettings report = new JobSettings(JobKind.REPORT, Optional.of(Schedule.parse("0 7 * * *", PARIS, now)),
                Duration.ofMinutes(10), false, Duration.ZERO, false, RetryPolicy.NONE);
        List<FloatingJobSpec> specs = FloatingJobs.from(Map.of("pg1", pg1, "pg2", pg2), Map.of(JobKind.REPORT, report));
        assertThat(specs).containsExactly(
                new FloatingJobSpec(FloatingKind.RESTORE_TEST_S3, "pg1", new FloatingSchedule.Cron(sundays.quartz(), PARIS)),
                FloatingJobSpec.fleet(FloatingKind.REPORT, new FloatingSchedule.Cron(report.schedule().get().quartz(), PARIS)));
    }
}
