package io.barmand.schedule;

import io.barmand.config.JobKind;

/**
 * Which runs of one server may go on at once, following what Barman itself allows:
 * <ul>
 *   <li>two runs of the same kind of one server never overlap (a second one is skipped, or queued behind the first
 *       when it is a chained run or a retry);</li>
 *   <li>{@code check} and {@code switch-wal} are light: they never wait for, and never hold up, a backup, an offsite
 *       copy or a restore test (Barman runs {@code check} and {@code switch-wal} during a backup);</li>
 *   <li>backups, offsite copies and restore tests of one server may run side by side (a backup writes a new backup
 *       folder; a copy and a restore test read finished ones), but they are heavy: at most
 *       {@code scheduler.max-heavy-runs} of them run at once on the host, the others wait in the queue, backups
 *       first;</li>
 *   <li>a retention run, which deletes backups, waits for every backup, copy, restore test and verify run of its
 *       server, and they wait for it: nothing reads a backup while it may be deleted.</li>
 * </ul>
 */
public final class ConflictRules {
    private ConflictRules() {
    }

    /** Heavy runs count against the host-wide bound. */
    public static boolean heavy(JobKind k) {
        return switch (k) {
            case BACKUP, OFFSITE, RESTORE_TEST, VERIFY -> true;
            case CHECK, SWITCH_WAL, PRUNE_HISTORY, REPORT, RETENTION -> false;
        };
    }

    /**
     * The runs a stop waits for (at most {@code stop-wait}) before it interrupts them, and a restart when idle waits
     * for: those that write, whose cut costs a redo (a backup, an offsite copy) or leaves a half-done deletion
     * (retention). A restore test or a verify cut short only reads again next time.
     */
    public static boolean finishedBeforeStop(JobKind k) {
        return k == JobKind.BACKUP || k == JobKind.OFFSITE || k == JobKind.RETENTION;
    }

    /** Lower runs first among those that wait: backups, then copies, then restore tests; light runs never wait. */
    public static int priority(JobKind k) {
        return switch (k) {
            case CHECK, SWITCH_WAL, PRUNE_HISTORY, REPORT -> 0;
            case BACKUP -> 1;
            case OFFSITE -> 2;
            case RESTORE_TEST -> 3;
            case VERIFY -> 4;
            case RETENTION -> 5;
        };
    }

    /** Whether a run of {@code a} and one of {@code b}, of the same server, must not run at the same time. */
    public static boolean conflict(JobKind a, JobKind b) {
        return a == b || (a == JobKind.RETENTION && reads(b)) || (b == JobKind.RETENTION && reads(a));
    }

    /** The kinds that read or write a server's backups. */
    private static boolean reads(JobKind k) {
        return k == JobKind.BACKUP || k == JobKind.OFFSITE || k == JobKind.RESTORE_TEST || k == JobKind.VERIFY;
    }
}
