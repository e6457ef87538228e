package io.barmand.config;

import java.time.ZoneId;
import java.util.Map;

/**
 * One Barman server as barmand drives it: its time zone, its jobs, and the blocks of the jobs that have more than a
 * schedule (offsite, restore-test, retention), all read and checked by {@link Settings#load}.
 */
public record ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                             RestoreSettings restore, java.util.Optional<RetentionSettings> retention) {
    public ServerSettings {
        jobs = Map.copyOf(jobs);
        retention = retention == null ? java.util.Optional.empty() : retention;
    }

    /** A server without retention. */
    public ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                          RestoreSettings restore) {
        this(name, timezone, jobs, offsite, restore, java.util.Optional.empty());
    }

    public JobSettings job(JobKind kind) {
        return jobs.get(kind);
    }
}
