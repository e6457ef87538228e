package io.barmand.history;

/**
 * The names of the facts runs record ({@link Facts}): what a job writes and what the report, health, metrics, retention,
 * the scheduler and the CLI read back, spelt once. A name here is part of the history's stored format ({@code history
 * --json} shows it, old runs keep it): rename none. Each with its unit and the packages that use it. The values a
 * fact takes (a restore test's source "barman" or "s3", "verified", ...) are their owners' business.
 */
public final class FactNames {
    private FactNames() {
    }

    // written by the check
    /** text (jobs, metrics) */
    public static final String CHECKS = "checks";

    // written by the backup
    /** bytes (cli, jobs) */
    public static final String SIZE = "size";
    /** bytes (jobs) */
    public static final String SIZE_WITH_WALS = "size-with-wals";
    /** seconds (jobs, offsite) */
    public static final String COPY = "copy";
    /** bytes (jobs) */
    public static final String THROUGHPUT_PER_SECOND = "throughput-per-second";

    // written by verify
    /** text (jobs, report) */
    public static final String VERIFIED_THROUGH = "verified-through";
    /** a count (jobs) */
    public static final String VERIFIED = "verified";
    /** text (jobs) */
    public static final String VERIFIED_BACKUPS = "verified-backups";
    /** text (jobs, report) */
    public static final String OFFSITE_CHECKED = "offsite-checked";
    /** a count (jobs, report) */
    public static final String PROBLEMS = "problems";

    // written by prune-history
    /** a count (jobs, retention) */
    public static final String DELETED = "deleted";
    /** a count: sent mail and delivered webhook records deleted with the runs (jobs) */
    public static final String RECORDS_DELETED = "records-deleted";
    /** an instant (jobs) */
    public static final String ENDED_BEFORE = "ended-before";

    // written by the offsite copy
    /** an instant (health, metrics, offsite, report) */
    public static final String WAL_NEWEST_S3_AT = "wal-newest-s3-at";
    /** an instant (metrics, offsite, report) */
    public static final String WAL_NEWEST_ARCHIVE_AT = "wal-newest-archive-at";
    /** text (offsite, report) */
    public static final String BACKUP = "backup";
    /** text (offsite, report) */
    public static final String WAL_NEWEST_S3 = "wal-newest-s3";
    /** text (offsite) */
    public static final String BACKUP_COPY = "backup-copy";
    /** bytes (offsite) */
    public static final String BACKUP_BYTES = "backup-bytes";
    /** bytes (offsite) */
    public static final String STORED_BYTES = "stored-bytes";
    /** a count (offsite) */
    public static final String PARTS = "parts";
    /** text (offsite) */
    public static final String CODEC = "codec";
    /** text (offsite) */
    public static final String REDONE = "redone";
    /** a count (offsite) */
    public static final String WAL_COPIED = "wal-copied";
    /** bytes (offsite) */
    public static final String WAL_COPIED_BYTES = "wal-copied-bytes";
    /** text (offsite) */
    public static final String WAL_NEWEST_ARCHIVE = "wal-newest-archive";
    /** a count (offsite) */
    public static final String WAL_MISSING_IN_S3 = "wal-missing-in-s3";
    /** a count (offsite) */
    public static final String WAL_GAPS = "wal-gaps";
    /** a count (offsite) */
    public static final String ABORTED_UPLOADS = "aborted-uploads";

    // written by the restore test
    /** text (health, history, report, restore, retention, schedule) */
    public static final String SOURCE = "source";
    /** text (history, restore) */
    public static final String TARGET = "target";
    /** seconds (cli, history, metrics, report, restore) */
    public static final String RTO = "rto";
    /** an instant (history, report, restore) */
    public static final String RECOVERY_POINT = "recovery-point";
    /** seconds (history, metrics, report, restore) */
    public static final String CANARY_AGE = "canary-age";
    /** seconds (history, restore) */
    public static final String CANARY_BEFORE_TARGET = "canary-before-target";
    /** seconds (restore) */
    public static final String LOOKUP = "lookup";
    /** a count (restore) */
    public static final String PORT = "port";
    /** seconds (restore) */
    public static final String CLEANUP = "cleanup";
    /** seconds (restore) */
    public static final String START = "start";
    /** text (restore) */
    public static final String KEEP = "keep";
    /** seconds (restore) */
    public static final String AMCHECK = "amcheck";
    /** an LSN (restore) */
    public static final String REPLAY_LSN = "replay-lsn";
    /** seconds (restore) */
    public static final String SQL = "sql";
    /** a count (restore) */
    public static final String DATABASES = "databases";
    /** a count (restore) */
    public static final String USER_TABLES = "user-tables";
    /** text (restore) */
    public static final String ROWS = "rows";
    /** an instant (restore) */
    public static final String CANARY_NEWEST = "canary-newest";
    /** text (restore) */
    public static final String MANIFEST = "manifest";
    /** seconds (restore) */
    public static final String VERIFYBACKUP = "verifybackup";
    /** text (restore) */
    public static final String CHECKSUMS = "checksums";
    /** seconds (restore) */
    public static final String CHECKSUMS_CHECK = "checksums-check";
    /** bytes (restore) */
    public static final String DOWNLOADED = "downloaded";
    /** a count (restore) */
    public static final String WAL_FILES = "wal-files";
    /** seconds (restore) */
    public static final String DOWNLOAD = "download";
    /** seconds (restore) */
    public static final String RECOVER = "recover";

    // written by retention
    /** text (retention) */
    public static final String REFUSED = "refused";
    /** text (retention) */
    public static final String KEEP_NOTES_DROPPED = "keep-notes-dropped";
    /** a count (retention) */
    public static final String BACKUPS = "backups";
    /** a count (retention) */
    public static final String STANDALONE = "standalone";
    /** a count (retention) */
    public static final String RELEASED = "released";
    /** text (retention) */
    public static final String DELETED_BACKUPS = "deleted-backups";
    /** text (retention) */
    public static final String STANDALONE_BACKUPS = "standalone-backups";
    /** text (retention) */
    public static final String RELEASED_BACKUPS = "released-backups";
    /** a count (retention) */
    public static final String KEPT = "kept";
    /** bytes (retention) */
    public static final String WAL_BEFORE = "wal-before";
    /** bytes (retention) */
    public static final String WAL_AFTER = "wal-after";
    /** a count (retention) */
    public static final String S3_COPIES = "s3-copies";
    /** text (retention) */
    public static final String S3_REFUSED = "s3-refused";
    /** a count (retention) */
    public static final String S3_DELETED = "s3-deleted";
    /** a count (retention) */
    public static final String S3_WAL_DELETED = "s3-wal-deleted";
    /** bytes (retention) */
    public static final String S3_FREED = "s3-freed";
    /** a count (retention) */
    public static final String S3_VERIFIED = "s3-verified";
    /** text (retention) */
    public static final String S3_DELETED_BACKUPS = "s3-deleted-backups";

    // written by the report
    /** text (report) */
    public static final String VERDICT = "verdict";
    /** text (report) */
    public static final String SEVERITY = "severity";
    /** a count (report) */
    public static final String SERVERS = "servers";
    /** a count (report) */
    public static final String TROUBLES = "troubles";
    /** text (report) */
    public static final String SAVED = "saved";
    /** seconds (report) */
    public static final String HEALTH = "health";
    /** seconds (report) */
    public static final String GATHER = "gather";
    /** seconds (report) */
    public static final String CHARTS = "charts";
    /** seconds (report) */
    public static final String RENDER = "render";
    /** text (report) */
    public static final String MAIL = "mail";
    /** a count (report) */
    public static final String MAIL_ATTEMPTS = "mail-attempts";
    /** text (report) */
    public static final String MAIL_STATE = "mail-state";

    // written by the history itself
    /** text (history) */
    public static final String UNREADABLE_FACTS = "unreadable-facts";
}
