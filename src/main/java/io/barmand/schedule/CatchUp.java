package io.barmand.schedule;

import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import io.barmand.config.Schedule;

/**
 * Quartz's RAMJobStore forgets a fire time that passed while the daemon was down. At start barmand asks, per job
 * with catch-up on: did the last fire time before now pass while barmand was installed (a daemon start before it)
 * and has no run of the job completed since? Then that fire time is run once now, as trigger `catch-up`.
 * Completed means success or failed: an interrupted or skipped run does not count, so a catch-up cut short by a
 * restart is caught up again after that restart.
 */
public final class CatchUp {
    private CatchUp() {
    }

    /** The missed fire time to catch up, if any. */
    public static Optional<Instant> missedFire(Schedule schedule, Instant now, Optional<Instant> firstDaemonStart,
                                               List<RunRecord> runsSinceNewestFirst) {
        return missedFire(schedule.previous(now), firstDaemonStart, runsSinceNewestFirst);
    }

    /** As above, with the schedule's last fire time before now already known ({@code before}). */
    public static Optional<Instant> missedFire(Optional<Instant> before, Optional<Instant> firstDaemonStart,
                                               List<RunRecord> runsSinceNewestFirst) {
        if (before.isEmpty() || firstDaemonStart.isEmpty()) {
            return Optional.empty();
        }
        Instant fire = before.get();
        if (!firstDaemonStart.get().isBefore(fire)) {
            return Optional.empty(); // barmand was not there yet at that time
        }
        boolean completedSince = runsSinceNewestFirst.stream()
                .anyMatch(r -> !r.started().isBefore(fire)
                        && (r.outcome() == Outcome.SUCCESS || r.outcome() == Outcome.FAILED || r.outcome().open()));
        return completedSince ? Optional.empty() : Optional.of(fire);
    }
}
