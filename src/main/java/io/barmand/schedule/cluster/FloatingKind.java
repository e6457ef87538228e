package io.barmand.schedule.cluster;

import io.barmand.vocabulary.Capability;
import java.util.Arrays;
import java.util.Optional;

/**
 * The jobs of the fleet that may run on any node able to run them ("floating"), each with the capability a node must
 * declare to take it and what becomes of a fire time no node could take in time (every node down, or all busy past
 * the misfire threshold). Host-bound jobs (check, switch-wal, backup, local retention, offsite copy) are not here:
 * they stay in each host's own scheduler.
 */
public enum FloatingKind {
    /** The fleet report: one mail for every host. A missed morning still sends its mail, late. */
    REPORT("report", Capability.REPORT, Missed.RUN_ONCE),
    /** The watch, every minute: a missed minute is covered by the next one. */
    WATCH("watch", Capability.WATCH, Missed.SKIP),
    /** A restore test of one server from its offsite copy. A missed one runs once, late: the proof is still wanted. */
    RESTORE_TEST_S3("restore-test-s3", Capability.RESTORE_TEST_S3, Missed.RUN_ONCE),
    /** The offsite copy of one server checked against its manifest. A missed one runs once, late. */
    VERIFY_S3("verify-s3", Capability.VERIFY_S3, Missed.RUN_ONCE);

    /**
     * What Quartz does with a fire time it finds more than {@code misfireThreshold} late: set explicitly on every
     * trigger, never Quartz's "smart policy" (quartz#652: an unset instruction silently skips runs under load).
     */
    public enum Missed {
        /** one run now for all the fire times missed, then on schedule (cron: FIRE_ONCE_NOW) */
        RUN_ONCE,
        /** none now: the next fire time on schedule (cron: DO_NOTHING) */
        SKIP
    }

    private final String id;
    private final Capability needs;
    private final Missed missed;

    FloatingKind(String id, Capability needs, Missed missed) {
        this.id = id;
        this.needs = needs;
        this.missed = missed;
    }

    /** As the job store's job group and the logs spell it. */
    public String id() {
        return id;
    }

    /** What a node must declare to take this job. */
    public Capability needs() {
        return needs;
    }

    public Missed missed() {
        return missed;
    }

    public static Optional<FloatingKind> of(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    @Override
    public String toString() {
        return id;
    }
}
