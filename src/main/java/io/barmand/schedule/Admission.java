package io.barmand.schedule;

import io.barmand.job.RunRequest;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Who runs and who waits, and whether a run may start now by the {@link ConflictRules} and the host-wide bounds: the
 * runner's locks. {@link LocalAdmission} keeps them in this process; a fleet of backup hosts would keep them in a
 * shared store behind the same contract. Called under the runner's lock.
 *
 * @param <T> the runner's handle on a run
 */
interface Admission<T extends Admission.Slot> {
    /** What admission needs to know of a run. */
    interface Slot {
        RunRequest request();

        long id();

        Instant requested();

        /** Order of arrival, for runs of equal priority. */
        long arrival();

        /** When it started; null while it waits. */
        Instant started();
    }

    /** Why {@code r} must be skipped (its kind already running, or queued, for its server), or null. */
    String duplicate(RunRequest r);

    /** Adds a waiting run, in its place by priority then arrival. */
    void enqueue(T t);

    /** What keeps a waiting run from starting now, or null. */
    String blockedBy(T t);

    /** Takes out of the queue, in order, every waiting run that may start now, and counts them as running. */
    List<T> admit();

    /** A running run has ended. */
    void finished(T t);

    /** Empties the queue (daemon stopping); returns what waited. */
    List<T> drain();

    Collection<T> running();

    int queued();

    int heavyRunning();

    /** New bounds (a reload); runs already running above them go on. */
    void limits(int maxHeavy, int maxLight);

    /** Runs of the kinds {@code held} accepts wait, {@code reason} naming why; null: none held. */
    void hold(java.util.function.Predicate<io.barmand.config.JobKind> held, String reason);
}
