package io.barmand.testing;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.RetryPolicy;
import io.barmand.config.Schedule;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;

/** Job settings for tests: a cron expression in UTC (null = off). */
public final class Jobs {
    private Jobs() {
    }

    public static JobSettings settings(JobKind kind, String cron, Duration timeout, boolean catchUp, Duration archiveTimeout,
                                       boolean force) {
        return settings(kind, cron, timeout, catchUp, archiveTimeout, force, RetryPolicy.NONE);
    }

    public static JobSettings settings(JobKind kind, String cron, Duration timeout, boolean catchUp, Duration archiveTimeout,
                                       boolean force, RetryPolicy retry) {
        return new JobSettings(kind, Optional.ofNullable(cron).map(c -> new Schedule(c, ZoneOffset.UTC)), timeout, catchUp,
                archiveTimeout, force, retry);
    }

    /** A server with jobs only (no offsite or restore-test blocks): tests of the scheduling core. */
    public static io.barmand.config.ServerSettings server(String name, java.time.ZoneId zone,
                                                          java.util.Map<JobKind, JobSettings> jobs) {
        return new io.barmand.config.ServerSettings(name, zone, jobs, null, null);
    }
}
