package io.barmand.retention;

import java.time.Instant;
import java.util.List;

/**
 * The verdict on one backup, with every reason that applies, the deciding one first.
 *
 * @param backupId the backup
 * @param end      its end (as given in the {@link Candidate})
 * @param status   its Barman status
 * @param verdict  what to do with it
 * @param reasons  never empty; the first one decided
 */
public record Decision(String backupId, Instant end, Candidate.Status status, Verdict verdict, List<Reason> reasons) {

    public Decision {
        reasons = List.copyOf(reasons);
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a decision without a reason: " + backupId);
        }
    }

    /** The deciding reason. */
    public Reason reason() {
        return reasons.get(0);
    }

    /** Whether any of its reasons is this rule. */
    public boolean has(Reason.Rule rule) {
        return reasons.stream().anyMatch(r -> r.rule() == rule);
    }
}
