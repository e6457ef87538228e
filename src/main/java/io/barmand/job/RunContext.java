package io.barmand.job;

import io.barmand.config.JobSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * What a job is given for one run: its server, its settings, the run's options, its id in the history, the clock,
 * and the deadline (start + the job's timeout), past which the runner cuts it short. Cancellation is the thread's
 * interrupt (daemon stopping, deadline passed): {@link #checkCancelled()} between steps, and the command runner
 * kills the running command.
 */
public record RunContext(String server, JobSettings settings, RunOptions options, long runId, Clock clock, Instant deadline) {
    public RunContext {
        options = options == null ? RunOptions.NONE : options;
    }

    /**
     * A context for a direct call (tests, tools): no run id, the job's timeout from now on the system clock (a day
     * when no settings are given).
     */
    public static RunContext of(String server, JobSettings settings, RunOptions options) {
        Clock c = Clock.systemUTC();
        return new RunContext(server, settings, options, 0, c,
                c.instant().plus(settings == null ? Duration.ofDays(1) : settings.timeout()));
    }

    /** Time left before the deadline (never negative). */
    public Duration left() {
        Duration d = Duration.between(clock.instant(), deadline);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Throws INTERRUPTED when the run was cut short (daemon stopping or deadline passed). */
    public void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "interrupted (daemon stopping or timeout)");
        }
    }
}
