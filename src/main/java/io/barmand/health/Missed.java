package io.barmand.health;

import io.barmand.config.JobKind;
import java.time.Instant;

/**
 * A fire time of a schedule that passed with no run of the job (barmand was down, or its scheduler stalled).
 *
 * @param schedule the schedule's name ({@link io.barmand.config.JobSchedule#name()}): the job's id, or
 *                 "restore-test-s3" for the restore test's second schedule
 */
public record Missed(String server, JobKind job, Instant fireTime, String schedule) {
    public Missed(String server, JobKind job, Instant fireTime) {
        this(server, job, fireTime, job.id());
    }
}
