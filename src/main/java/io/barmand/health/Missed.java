package io.barmand.health;

import io.barmand.config.JobKind;
import java.time.Instant;

/** A fire time of a schedule that passed with no run of the job (barmand was down, or its scheduler stalled). */
public record Missed(String server, JobKind job, Instant fireTime) {
}
