package io.barmand.history;

import java.time.Instant;
import java.util.List;

/** One run of one job, as stored and as printed by {@code barmand history --json}. */
public record RunRecord(long id, String server, String job, Trigger trigger, Instant started, Instant ended,
                        Outcome outcome, Long durationMs, String backupId, Long sizeBytes, Long throughputBytesPerSec,
                        List<String> failedChecks, String error, String detail) {
    public RunRecord {
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
    }
}
