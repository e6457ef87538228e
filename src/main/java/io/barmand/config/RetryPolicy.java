package io.barmand.config;

import java.time.Duration;

/**
 * How a failed run of a job is tried again: at most {@code max} more attempts, each {@code after} the end of the
 * previous one. {@code max = 0}: never.
 */
public record RetryPolicy(int max, Duration after) {
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO);

    /** Whether a run that was attempt number {@code attempt} may be followed by another. */
    public boolean allowsAnotherAfter(int attempt) {
        return attempt <= max;
    }
}
