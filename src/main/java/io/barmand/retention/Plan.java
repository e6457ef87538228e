package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The verdict on every backup of one catalogue (the local one, or the bucket's), newest first.
 * When {@code refused}, every decision is {@link Verdict#KEEP} with the refusal as its first reason (and the verdict
 * the policy would have given as the second), so that no caller can delete, mark or release by mistake.
 *
 * @param policy    the policy applied
 * @param now       the instant the plan was made for (the caller's clock)
 * @param decisions newest first
 * @param refused   a guard refused the whole run
 * @param refusal   why, in words ("" when not refused)
 */
public record Plan(RetentionPolicy policy, Instant now, List<Decision> decisions, boolean refused, String refusal) {

    public Plan {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(now, "now");
        decisions = List.copyOf(decisions);
        refusal = refusal == null ? "" : refusal;
    }

    /** The backups this run deletes ({@link Verdict#DELETE} and {@link Verdict#RELEASE_AND_DELETE}), newest first. */
    public List<Decision> deletes() {
        return decisions.stream().filter(d -> d.verdict().deletes()).toList();
    }

    /** The backups that should carry {@code barman keep --target standalone}, newest first. */
    public List<Decision> keepsStandalone() {
        return decisions.stream().filter(d -> d.verdict() == Verdict.KEEP_STANDALONE).toList();
    }

    /** The backups whose Barman keep is released ({@link Verdict#RELEASE_AND_KEEP} and RELEASE_AND_DELETE). */
    public List<Decision> releases() {
        return decisions.stream().filter(d -> d.verdict().releases()).toList();
    }

    /** The decision on one backup, or null. */
    public Decision decision(String backupId) {
        return decisions.stream().filter(d -> d.backupId().equals(backupId)).findFirst().orElse(null);
    }

    /** How many decisions have this verdict. */
    public long count(Verdict v) {
        return decisions.stream().filter(d -> d.verdict() == v).count();
    }
}
