package io.barmand.config;

import java.time.ZoneId;
import io.barmand.vocabulary.RestoreSource;
import java.util.Map;

/**
 * One Barman server as barmand drives it: its time zone, its jobs, and the blocks of the jobs that have more than a
 * schedule (offsite, restore-test, retention), all read and checked by {@link Settings#load}.
 */
public record ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                             RestoreSettings restore, java.util.Optional<RetentionSettings> retention,
                             java.util.Optional<Schedule> restoreFromS3) {
    public ServerSettings {
        jobs = Map.copyOf(jobs);
        retention = retention == null ? java.util.Optional.empty() : retention;
        restoreFromS3 = restoreFromS3 == null ? java.util.Optional.empty() : restoreFromS3;
    }

    /** A server without a second restore-test schedule. */
    public ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                          RestoreSettings restore, java.util.Optional<RetentionSettings> retention) {
        this(name, timezone, jobs, offsite, restore, retention, java.util.Optional.empty());
    }

    /** A server without retention. */
    public ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                          RestoreSettings restore) {
        this(name, timezone, jobs, offsite, restore, java.util.Optional.empty());
    }

    public JobSettings job(JobKind kind) {
        return jobs.get(kind);
    }

    /**
     * Every schedule of the server, in {@link JobKind} order: each scheduled job's own, and after the restore test's
     * own its second one from S3 ({@code restore-test.s3.schedule}). What the scheduler fires and health checks.
     */
    public java.util.List<JobSchedule> schedules() {
        java.util.List<JobSchedule> out = new java.util.ArrayList<>();
        for (JobKind k : JobKind.values()) {
            JobSettings js = jobs.get(k);
            java.util.Optional<RestoreSource> source = k == JobKind.RESTORE_TEST && restore != null
                    ? java.util.Optional.of(restore.source()) : java.util.Optional.empty();
            if (js != null && js.schedule().isPresent()) {
                out.add(new JobSchedule(k, js.schedule().get(), source, false));
            }
            if (k == JobKind.RESTORE_TEST) {
                restoreFromS3.ifPresent(s -> out.add(new JobSchedule(k, s, java.util.Optional.of(RestoreSource.S3), true)));
            }
        }
        return out;
    }

    /** The schedules of one job (two for a restore test with {@code restore-test.s3.schedule}). */
    public java.util.List<JobSchedule> schedules(JobKind kind) {
        return schedules().stream().filter(s -> s.kind() == kind).toList();
    }

    /** The sources whose restore tests are scheduled: what health expects to pass. */
    public java.util.List<RestoreSource> scheduledRestoreSources() {
        return schedules(JobKind.RESTORE_TEST).stream().map(s -> s.source().orElseThrow()).distinct().toList();
    }
}
