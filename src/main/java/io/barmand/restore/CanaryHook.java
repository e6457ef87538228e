package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import io.barmand.config.JobKind;
import io.barmand.error.BarmandException;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps the backup and switch-wal services: when the server's canary is enabled, one canary row is written on the
 * primary before the job runs. A canary that cannot be written is logged and never fails the job.
 */
public final class CanaryHook implements JobService {
    private static final Logger log = LoggerFactory.getLogger(CanaryHook.class);
    private final JobService inner;
    private final Map<String, RestoreSettings> restore;
    private final Clock clock;

    public CanaryHook(JobService inner, Map<String, RestoreSettings> restore, Clock clock) {
        this.inner = inner;
        this.restore = restore;
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return inner.kind();
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        RestoreSettings rs = restore.get(server);
        if (rs != null && rs.canary().enabled()) {
            try {
                long id = new Canary(rs.canary()).write(clock.instant(), inner.kind().id());
                log.debug("canary {} written on {} before {}", id, server, inner.kind());
            } catch (BarmandException e) {
                log.warn("{} {}: {}", server, inner.kind(), e.getMessage());
            }
        }
        return inner.execute(ctx);
    }
}
