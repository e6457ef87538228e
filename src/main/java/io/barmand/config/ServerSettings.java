package io.barmand.config;

import java.time.ZoneId;
import java.util.Map;

/**
 * One Barman server as barmand drives it: its time zone, its jobs, and the blocks of the jobs that have more than a
 * schedule (offsite, restore-test), all read and checked by {@link Settings#load}.
 */
public record ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs, OffsiteSettings offsite,
                             RestoreSettings restore) {
    public ServerSettings {
        jobs = Map.copyOf(jobs);
    }

    public JobSettings job(JobKind kind) {
        return jobs.get(kind);
    }
}
