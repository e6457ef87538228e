package io.barmand.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run as text for people, made in one place for the log, {@code run-now}, {@code history}, {@code status} and (to
 * come) the morning report.
 */
public final class RunText {
    private RunText() {
    }

    /**
     * One line: {@code run 7 pg1 backup (scheduled): success in 8s, backup 20261124T013000, 22.1 MiB, 2.8 MiB/s
     * (copy 7.8s, 38.1 MiB with WALs)}.
     */
    public static String line(RunRecord r) {
        StringBuilder b = new StringBuilder();
        b.append("run ").append(r.id()).append(' ').append(r.server().isEmpty() ? "" : r.server() + " ").append(r.job())
                .append(" (").append(r.trigger().word());
        if (r.attempt() > 1) {
            b.append(", attempt ").append(r.attempt());
        }
        b.append("): ").append(r.outcome().word());
        if (r.durationMs() != null) {
            b.append(" in ").append(io.barmand.vocabulary.TimeText.millis(r.durationMs()));
        }
        if (r.waitedMs() != null && r.waitedMs() >= 1000) {
            b.append(" after waiting ").append(io.barmand.vocabulary.TimeText.millis(r.waitedMs()));
        }
        if (r.backupId() != null) {
            b.append(", backup ").append(r.backupId());
        }
        if (r.sizeBytes() != null) {
            b.append(", ").append(Sizes.human(r.sizeBytes()));
        }
        if (r.throughputBytesPerSec() != null) {
            b.append(", ").append(Sizes.human(r.throughputBytesPerSec())).append("/s");
        }
        if (!r.failedChecks().isEmpty() && r.error() == null) {
            b.append(", failed checks: ").append(String.join(", ", r.failedChecks()));
        }
        if (r.error() != null) {
            b.append(", error: ").append(r.error());
        }
        if (r.detail() != null) {
            b.append(" (").append(r.detail()).append(')');
        }
        return b.toString();
    }

    /** The figures or the error of a run in one table cell: backup id, size, rate, failed checks, key facts. */
    public static String cell(RunRecord r) {
        List<String> p = new ArrayList<>();
        if (r.backupId() != null) {
            p.add(r.backupId());
        }
        if (r.sizeBytes() != null) {
            p.add(Sizes.human(r.sizeBytes()));
        }
        if (r.throughputBytesPerSec() != null) {
            p.add(Sizes.human(r.throughputBytesPerSec()) + "/s");
        }
        if (!r.failedChecks().isEmpty()) {
            p.add("failed: " + String.join(",", r.failedChecks()));
        } else if (r.error() != null) {
            p.add(r.error().length() > 90 ? r.error().substring(0, 90) + "..." : r.error());
        }
        if ("restore-test".equals(r.job()) && !r.facts().isEmpty()) {
            // the facts an admin looks for first: source (Barman or S3), target, RTO, recovery point and canary age
            for (String name : List.of(FactNames.SOURCE, FactNames.TARGET, FactNames.RTO, FactNames.RECOVERY_POINT, FactNames.CANARY_AGE, FactNames.CANARY_BEFORE_TARGET)) {
                r.facts().get(name).ifPresent(f -> p.add(name + "=" + f.text()));
            }
        } else if (p.isEmpty() && r.detail() != null) {
            p.add(r.detail());
        }
        return String.join(" ", p);
    }
}
