package io.barmand.metrics;

import io.barmand.config.JobKind;
import java.time.Instant;

/**
 * A run in progress, as the metrics see it ({@code barmand_running}): the runner's list, handed over by the daemon
 * so that the metrics never import the scheduler.
 *
 * @param server "" for a job of the host
 */
public record InProgress(String server, JobKind kind, Instant started) {
}
