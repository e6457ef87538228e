package io.barmand.schedule;

import io.barmand.job.JobService;
import io.barmand.config.JobKind;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.quartz.Job;

/** The job kinds barmand knows: the service that does the work and the Quartz adapter class that triggers it. */
public final class JobRegistry {
    private final Map<JobKind, JobService> services = new EnumMap<>(JobKind.class);
    private final Map<JobKind, Class<? extends Job>> adapters = new EnumMap<>(JobKind.class);

    public JobRegistry register(JobService service, Class<? extends Job> adapter) {
        services.put(service.kind(), service);
        adapters.put(service.kind(), adapter);
        return this;
    }

    public Optional<JobService> service(JobKind kind) {
        return Optional.ofNullable(services.get(kind));
    }

    public Class<? extends Job> adapter(JobKind kind) {
        return adapters.get(kind);
    }

    public Collection<JobKind> kinds() {
        return services.keySet();
    }
}
