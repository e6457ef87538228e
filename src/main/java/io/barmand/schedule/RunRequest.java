package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.history.Trigger;

/**
 * One run asked for: which job of which server, what asked for it, its run-now argument ("" = none) and which
 * attempt it is (1, then 2 for the first retry, ...).
 */
public record RunRequest(JobKind kind, String server, Trigger trigger, String argument, int attempt) {
    public RunRequest {
        argument = argument == null ? "" : argument;
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt);
        }
    }

    public static RunRequest of(JobKind kind, String server, Trigger trigger) {
        return new RunRequest(kind, server, trigger, "", 1);
    }

    /** Chained runs and retries queue behind a run of their own kind instead of being skipped. */
    boolean queuesBehindItsKind() {
        return trigger == Trigger.AFTER_BACKUP || trigger == Trigger.RETRY;
    }
}
