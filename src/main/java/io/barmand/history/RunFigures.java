package io.barmand.history;

import java.util.List;

/** What a finished run reports besides its outcome. */
public record RunFigures(String backupId, Long sizeBytes, Long throughputBytesPerSec, List<String> failedChecks,
                         String error, String detail) {
    public static final RunFigures NONE = new RunFigures(null, null, null, List.of(), null, null);

    public RunFigures {
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
    }

    public static RunFigures error(String error) {
        return new RunFigures(null, null, null, List.of(), error, null);
    }
}
