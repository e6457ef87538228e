package io.barmand.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One job of one server.
 *
 * @param schedule the Quartz cron expression, or empty when the job is off
 * @param catchUp run once after start when a fire time passed while the daemon was down (backup)
 * @param archiveTimeout switch-wal: how long barman waits for the WAL to be archived
 * @param force switch-wal: pass --force (Barman 3.4 then needs a superuser: it issues CHECKPOINT)
 */
public record JobSettings(JobKind kind, Optional<String> schedule, Duration timeout, boolean catchUp,
                          Duration archiveTimeout, boolean force) {
    public boolean enabled() {
        return schedule.isPresent();
    }
}
