package io.barmand.config;

import java.time.Duration;

/**
 * The `scheduler` block: Quartz's worker threads and misfire threshold, and the host-wide bound on heavy runs
 * (backups, offsite copies, restore tests) and on light ones (check, switch-wal) running at once.
 */
public record SchedulerSettings(int threads, Duration misfireThreshold, int maxHeavyRuns, int maxLightRuns) {
}
