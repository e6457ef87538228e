package io.barmand.history;

import java.util.List;

/**
 * What a finished run reports besides its outcome: the columns every kind shares (backup id, size, throughput,
 * failed checks, error), its typed {@link Facts}, and {@code detail}, text for people (when a job gives none, the
 * text of its facts).
 */
public record RunFigures(String backupId, Long sizeBytes, Long throughputBytesPerSec, List<String> failedChecks,
                         String error, String detail, Facts facts) {
    public static final RunFigures NONE = new RunFigures(null, null, null, List.of(), null, null, Facts.NONE);

    public RunFigures {
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
        facts = facts == null ? Facts.NONE : facts;
    }

    public RunFigures(String backupId, Long sizeBytes, Long throughputBytesPerSec, List<String> failedChecks, String error,
                      String detail) {
        this(backupId, sizeBytes, throughputBytesPerSec, failedChecks, error, detail, Facts.NONE);
    }

    public static RunFigures error(String error) {
        return new RunFigures(null, null, null, List.of(), error, null, Facts.NONE);
    }

    /** The same with {@code detail} = the text of the facts when the job gave no text of its own. */
    public RunFigures withDefaultDetail() {
        return detail != null || facts.isEmpty() ? this
                : new RunFigures(backupId, sizeBytes, throughputBytesPerSec, failedChecks, error, facts.toText(), facts);
    }

    /** The same with other facts. */
    public RunFigures withFacts(Facts other) {
        return new RunFigures(backupId, sizeBytes, throughputBytesPerSec, failedChecks, error, detail, other);
    }

    /** For logs and test output: the detail only when it says more than the facts. */
    @Override
    public String toString() {
        return "RunFigures[backupId=" + backupId + ", sizeBytes=" + sizeBytes + ", throughputBytesPerSec=" + throughputBytesPerSec
                + ", failedChecks=" + failedChecks + ", error=" + error
                + (detail != null && !detail.equals(facts.toText()) ? ", detail=" + detail : "") + ", facts=" + facts.toText() + "]";
    }
}
