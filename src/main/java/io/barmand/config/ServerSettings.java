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
     * Why a run of {@code kind} cannot run for this server at all, naming the key that turns it on (a run-now of it
     * is then a usage error, nothing recorded); empty when it can run. A job whose schedule is merely "off" can run:
     * run-now is how such a job runs. A server made without its blocks (offsite null: the scheduling core's tests)
     * refuses nothing.
     *
     * @param from the source a restore test is asked to read ({@code --from}), if any
     */
    public java.util.Optional<String> offBecause(JobKind kind, java.util.Optional<RestoreSource> from) {
        String key = "barmand.servers." + com.typesafe.config.ConfigUtil.quoteString(name)
                .replaceAll("^\"([A-Za-z0-9_-]+)\"$", "$1");
        if (offsite == null) {
            return java.util.Optional.empty();
        }
        boolean offsiteOff = !offsite.enabled();
        if (kind == JobKind.OFFSITE && offsiteOff) {
            return java.util.Optional.of("job 'offsite' is off for server '" + name + "': " + key
                    + ".offsite.enabled = true turns it on (with the bucket; reference.conf, block offsite)");
        }
        if (kind == JobKind.RETENTION && retention.isEmpty()) {
            return java.util.Optional.of("job 'retention' is off for server '" + name + "': " + key
                    + ".retention.enabled = true turns it on (reference.conf, block retention)");
        }
        boolean fromS3 = from.map(f -> f == RestoreSource.S3).orElse(false)
                || from.isEmpty() && restore != null && restore.source() == RestoreSource.S3;
        if (kind == JobKind.RESTORE_TEST && fromS3 && offsiteOff) {
            return java.util.Optional.of("a restore test of server '" + name + "' from S3 reads its offsite copy, but "
                    + "offsite is off: " + key + ".offsite.enabled = true turns it on");
        }
        return java.util.Optional.empty();
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
