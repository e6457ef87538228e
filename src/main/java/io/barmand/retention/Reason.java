package io.barmand.retention;

/**
 * Why a backup got its verdict: the rule (a typed fact, for machines) and its words (for people), e.g.
 * {@code KEEP_MONTHLY} and "keep-monthly 2026-10".
 */
public record Reason(Rule rule, String text) {

    /** The tiers, the window and the rails, plus the deletions and the guards. */
    public enum Rule {
        /** DONE backups ending inside the recovery window. */
        RECOVERY_WINDOW("recovery-window"),
        /** The newest DONE backup ending before the window's start: the base for its first moments. */
        RECOVERY_WINDOW_BASE("recovery-window-base"),
        KEEP_DAILY("keep-daily"),
        KEEP_WEEKLY("keep-weekly"),
        KEEP_MONTHLY("keep-monthly"),
        KEEP_YEARLY("keep-yearly"),
        /** Rail: the newest DONE backup. */
        NEWEST_DONE("newest-done"),
        /** Rail: the newest DONE backup whose restore test passed. */
        NEWEST_RESTORE_TESTED("newest-restore-tested"),
        /** Rail: offsite is on and it is not copied yet (a copy the S3 policy expired was copied). */
        OFFSITE_UNVERIFIED("offsite-unverified"),
        /** Rail: a running job reads it. */
        IN_USE("in-use"),
        /** Rail: an admin's own barman keep (not taken by barmand): never released, never deleted. */
        ADMIN_KEEP("admin-keep"),
        /** Rail: among the newest minimum-redundancy DONE backups. */
        MINIMUM_REDUNDANCY("minimum-redundancy"),
        /** Rail: neither DONE nor FAILED (being taken, waiting for WAL, unknown): never deleted. */
        IN_PROGRESS("in-progress"),
        /** A FAILED backup: deleted unless a job reads it. */
        FAILED("failed"),
        /** A DONE backup that neither the window nor a tier nor a rail keeps. */
        NOT_KEPT("not-kept"),
        /** It carries a Barman keep that no tier wants: the keep is released. */
        BARMAN_KEEP_RELEASED("barman-keep-released"),
        /** It carries a Barman keep that no tier wants, but a running job reads it (and may own the keep): left. */
        BARMAN_KEEP_HELD("barman-keep-held"),
        /** A copy in the bucket whose Object Lock has not ended: kept until it does, then deleted. */
        OBJECT_LOCK("object-lock"),
        /** The whole plan was refused (clock, mass delete): everything is kept. */
        REFUSED("refused"),
        /** In a refused plan: the verdict the policy would have given. */
        PLANNED("planned");

        private final String word;

        Rule(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
