package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.job.JobService;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The job kinds barmand knows, each with the service that does its work (Quartz triggers all by {@link QuartzJob}). */
public final class JobRegistry {
    private final Map<JobKind, JobService> services = new EnumMap<>(JobKind.class);

    public JobRegistry register(JobService service) {
        services.put(service.kind(), service);
        return this;
    }

    public Optional<JobService> service(JobKind kind) {
        return Optional.ofNullable(services.get(kind));
    }

    public Collection<JobKind> kinds() {
        return services.keySet();
    }
}
