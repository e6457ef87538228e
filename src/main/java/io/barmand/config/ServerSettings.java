package io.barmand.config;

import java.time.ZoneId;
import java.util.Map;

/** One Barman server as barmand drives it. */
public record ServerSettings(String name, ZoneId timezone, Map<JobKind, JobSettings> jobs) {
    public ServerSettings {
        jobs = Map.copyOf(jobs);
    }

    public JobSettings job(JobKind kind) {
        return jobs.get(kind);
    }
}
