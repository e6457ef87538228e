package io.barmand.history;

import java.time.Instant;
import java.util.List;

/**
 * One run of one job, as stored and as printed by {@code barmand history --json}.
 *
 * @param requested when the run was asked for (its fire time, the run-now, the end of the backup it follows)
 * @param started when it started (= requested while it is queued, and for a skipped run)
 * @param waitedMs how long it waited in the queue before it started (null while queued, 0 for a skipped run)
 * @param attempt 1, then 2 for its first retry, ...
 * @param facts what the run measured, typed (seconds, bytes, counts, instants, LSNs, text)
 */
public record RunRecord(long id, String server, String job, Trigger trigger, Instant started, Instant ended,
                        Outcome outcome, Long durationMs, String backupId, Long sizeBytes, Long throughputBytesPerSec,
                        List<String> failedChecks, String error, String detail, Instant requested, Long waitedMs,
                        int attempt, Facts facts) {
    public RunRecord {
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
        facts = facts == null ? Facts.NONE : facts;
        requested = requested == null ? started : requested;
    }
}
