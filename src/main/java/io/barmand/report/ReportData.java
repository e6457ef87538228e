package io.barmand.report;

import io.barmand.health.Problem;
import io.barmand.health.Restorability;
import io.barmand.health.Severity;
import java.time.Instant;
import java.util.List;

/**
 * The morning report as data: made once by {@link ReportBuilder}, then written as text, HTML and JSON by
 * {@link ReportText}, {@link ReportHtml} and {@link ReportJson}, so that all three say the same.
 */
public record ReportData(String host, Instant generated, Instant from, Instant to, Severity severity, String verdict,
                         List<Restorability> restorability, List<ServerLine> servers, List<Problem> problems,
                         List<Trouble> troubles, List<TroubleGroup> troubleGroups, List<Disk> disks,
                         List<Trend> trends, List<MailNote> mail, String retention, Trend hostTrend,
                         List<String> charted) {
    /** The key of the whole host's chart among the charts by server (no server is named ""). */
    public static final String HOST = "";

    /**
     * The runs of {@link Trouble} that went wrong the same way (same server, job, outcome and error), as one line:
     * "check failed 26 times since 17:44: ...". {@code runIds} lists them (0 for a missed fire time), oldest first.
     */
    public record TroubleGroup(Trouble first, int count, Instant last, List<Long> runIds) {
    }

    /**
     * One server's line: last backup, offsite, last restore test, check. Null fields: nothing recorded. With a second
     * restore-test schedule from S3 ({@code restore-test.s3.schedule}), {@code restoreTest} is the last test from
     * Barman and {@code restoreTestS3} the last from S3; else {@code restoreTestS3} is null and {@code restoreTest}
     * the last of any source.
     */
    public record ServerLine(String server, Severity severity, Backup backup, Offsite offsite, RestoreTest restoreTest,
                             Check check, Verify verify, RestoreTest restoreTestS3) {
        public ServerLine(String server, Severity severity, Backup backup, Offsite offsite, RestoreTest restoreTest,
                          Check check, Verify verify) {
            this(server, severity, backup, offsite, restoreTest, check, verify, null);
        }
    }

    /** The newest verify run that ended: how far it verified, and what it found. */
    public record Verify(String outcome, Instant ended, String verifiedThrough, String offsiteChecked, String error) {
    }

    /** The newest successful backup. */
    public record Backup(String backupId, Instant ended, long ageSeconds, Long sizeBytes, Double durationSeconds) {
    }

    /** The newest offsite run that ended; the WAL lag is Barman's newest archived WAL minus the newest in S3. */
    public record Offsite(long runId, String outcome, Instant ended, String backupId, Double walLagSeconds,
                          String newestWalInS3, String error) {
    }

    /** The newest restore test that ended. */
    public record RestoreTest(long runId, String outcome, Instant ended, String backupId, String source, Double rtoSeconds,
                              Instant recoveryPoint, Double canaryAgeSeconds, String error) {
    }

    /** The newest check that ended. */
    public record Check(String outcome, Instant ended, List<String> failedChecks) {
    }

    /**
     * A run of the window that went wrong (failed, interrupted, skipped), or a fire time with no run (missed).
     *
     * @param runId 0 for a missed run
     */
    public record Trouble(String server, String job, String what, Instant at, long runId, String trigger, int attempt,
                          String error) {
    }

    /** Free space of a folder barmand relies on. */
    public record Disk(String label, String path, long freeBytes, long totalBytes) {
        public double freeRatio() {
            return totalBytes <= 0 ? 0 : (double) freeBytes / totalBytes;
        }
    }

    /**
     * Points of a server's trend: one per backup or restore test in the trend's days, oldest first. The whole host's
     * trend ({@link #HOST}) has a point per day: the sum of the day's backup sizes with its longest backup, and its
     * longest RTO.
     */
    public record Trend(String server, List<Point> backups, List<Point> restoreTests) {
    }

    /**
     * @param value seconds for a restore test's RTO; for a backup, its duration in seconds
     * @param bytes a backup's size (null for a restore test)
     */
    public record Point(Instant at, double value, Long bytes) {
    }

    /** A mail of the window that was not delivered at the first attempt (still waiting, or sent late). */
    public record MailNote(String id, String subject, int attempts, boolean sent, Instant sentAt, String lastError) {
    }
}
