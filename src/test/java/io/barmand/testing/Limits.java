package io.barmand.testing;

import io.barmand.config.SchedulerSettings;
import java.time.Duration;

/** Scheduler settings for tests: reference.conf's defaults, or another bound on heavy runs. */
public final class Limits {
    private Limits() {
    }

    public static final SchedulerSettings DEFAULTS = heavy(2);

    public static SchedulerSettings heavy(int maxHeavyRuns) {
        return new SchedulerSettings(4, Duration.ofSeconds(60), maxHeavyRuns, 8);
    }
}
