package io.barmand.job;

import io.barmand.config.JobKind;
import io.barmand.history.Trigger;

/**
 * One run asked for: which job of which server ("" for a job of the host), what asked for it, its options and which
 * attempt it is (1, then 2 for the first retry, ...).
 */
public record RunRequest(JobKind kind, String server, Trigger trigger, RunOptions options, int attempt) {
    public RunRequest {
        options = options == null ? RunOptions.NONE : options;
        server = server == null ? "" : server;
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt);
        }
    }

    public static RunRequest of(JobKind kind, String server, Trigger trigger) {
        return new RunRequest(kind, server, trigger, RunOptions.NONE, 1);
    }

    /** Chained runs and retries queue behind a running one of their kind instead of being skipped. */
    public boolean queuesBehindItsKind() {
        return trigger == Trigger.AFTER_BACKUP || trigger == Trigger.RETRY;
    }
}
