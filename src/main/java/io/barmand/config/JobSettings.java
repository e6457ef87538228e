package io.barmand.config;

import java.time.Duration;
import java.util.Optional;

/**
 * One job of one server.
 *
 * @param schedule when it runs (parsed once, in the server's time zone), or empty when the job is off
 * @param catchUp run once after start when a fire time passed while the daemon was down (backup)
 * @param archiveTimeout switch-wal: how long barman waits for the WAL to be archived
 * @param force switch-wal: pass --force (Barman 3.4 then needs a superuser: it issues CHECKPOINT)
 * @param retry how a failed run is tried again (backup)
 */
public record JobSettings(JobKind kind, Optional<Schedule> schedule, Duration timeout, boolean catchUp,
                          Duration archiveTimeout, boolean force, RetryPolicy retry) {
    /** The schedule's cron expression, or "off". */
    public String scheduleText() {
        return schedule.map(Schedule::expression).orElse("off");
    }

    /** The schedule in words ("daily at 02:00 Europe/Paris"), or "off". */
    public String scheduleWords() {
        return schedule.map(Schedule::describe).orElse("off");
    }

    public boolean enabled() {
        return schedule.isPresent();
    }
}
