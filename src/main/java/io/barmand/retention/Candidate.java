package io.barmand.retention;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * One backup as the policy sees it: a local Barman backup, or its copy in the bucket.
 *
 * @param backupId          Barman's backup id (e.g. {@code 20261124T020000})
 * @param end               Barman's end time; for a backup without one (in progress, some FAILED ones) pass its begin
 *                          time: it is used for ordering and for the clock guard only, never by a tier
 * @param status            Barman's status; only {@link Status#DONE} backups are chosen by the window or a tier,
 *                          only {@link Status#FAILED} ones are deleted otherwise, and a backup in progress never is
 * @param keptByBarman      the backup carries a {@code barman keep} annotation (either target); always false for
 *                          the bucket's copies, which Barman does not annotate
 * @param restoreTestPassed a restore test of this backup passed
 * @param copiedOffsite     it was copied offsite: its copy is in the bucket, or was until the S3 policy expired it
 *                          (meaningful only when offsite is on)
 * @param inUseBy           the running job that reads it, in words ("restore test", "offsite copy"), or empty
 * @param keptByAdmin       it carries a {@code barman keep} that barmand did not take (an admin's): never released,
 *                          never deleted; {@code keptByBarman} is then false
 */
public record Candidate(String backupId, Instant end, Status status, boolean keptByBarman, boolean restoreTestPassed,
                        boolean copiedOffsite, Optional<String> inUseBy, boolean keptByAdmin) {

    /** A candidate without an admin's keep. */
    public Candidate(String backupId, Instant end, Status status, boolean keptByBarman, boolean restoreTestPassed,
                     boolean copiedOffsite, Optional<String> inUseBy) {
        this(backupId, end, status, keptByBarman, restoreTestPassed, copiedOffsite, inUseBy, false);
    }

    /** Barman's backup statuses ({@code barman -f json list-backups}); anything else is {@link #UNKNOWN}. */
    public enum Status {
        DONE, FAILED, STARTED, WAITING_FOR_WALS, SYNCING, EMPTY, UNKNOWN;

        /** The status from Barman's word ("DONE", "WAITING_FOR_WALS"); an unknown word is UNKNOWN (never deleted). */
        public static Status of(String word) {
            if (word == null) {
                return UNKNOWN;
            }
            try {
                return valueOf(word.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return UNKNOWN;
            }
        }

        /** Neither DONE nor FAILED: a backup being taken, waiting for its WAL, or one barmand cannot judge. */
        public boolean inProgress() {
            return this != DONE && this != FAILED;
        }
    }

    public Candidate {
        if (backupId == null || backupId.isBlank() || end == null || status == null) {
            throw new BarmandException(Category.INTERNAL, "retention candidate " + backupId + " without an id, end or"
                    + " status (a backup without an end time is given its begin time)");
        }
        inUseBy = inUseBy == null ? Optional.empty() : inUseBy.filter(s -> !s.isBlank());
    }

    /** A running job reads it (a restore test, an offsite copy). */
    public boolean inUse() {
        return inUseBy.isPresent();
    }

    public boolean done() {
        return status == Status.DONE;
    }
}
