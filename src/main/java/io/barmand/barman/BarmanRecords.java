package io.barmand.barman;

import java.util.List;
import java.util.Map;

/** What Barman's JSON output is parsed into. */
public final class BarmanRecords {
    private BarmanRecords() {
    }

    /** The _INFO, _WARNING and _ERROR messages Barman prints with -f json. */
    public record Messages(List<String> info, List<String> warnings, List<String> errors) {
        public static final Messages NONE = new Messages(List.of(), List.of(), List.of());

        public String firstError() {
            return errors.isEmpty() ? null : errors.get(0);
        }
    }

    public record CheckItem(String name, boolean ok, String hint) {
    }

    /** `barman check SERVER`. */
    public record CheckReport(String server, Map<String, CheckItem> checks, Messages messages) {
        public List<String> failedChecks() {
            return checks.values().stream().filter(c -> !c.ok()).map(CheckItem::name).sorted().toList();
        }

        public boolean ok() {
            return !checks.isEmpty() && failedChecks().isEmpty() && messages.errors().isEmpty();
        }
    }

    /** `barman backup --wait SERVER`: the new backup's backup.info. */
    public record BackupOutcome(String backupId, String status, String error, Messages messages) {
    }

    /** `barman show-backup SERVER ID`. */
    public record BackupDetails(String backupId, String status, long sizeBytes, long sizeWithWalsBytes,
                                double copyTimeSeconds, long throughputBytesPerSec, String beginTime, String endTime) {
    }

    /** One line of `barman list-backups SERVER`. */
    public record BackupSummary(String backupId, String status, long endTimeEpoch, long sizeBytes) {
    }

    /** `barman status SERVER`: name -> message (e.g. last_backup -> 20261124T010203). */
    public record ServerStatus(String server, Map<String, String> fields) {
    }

    public record StreamingClient(String applicationName, String state, String slot, String userName) {
    }

    /** `barman replication-status SERVER`. */
    public record ReplicationStatus(String server, String serverLsn, List<StreamingClient> clients) {
    }

    /** Where Barman keeps a server's backups and WAL ({@code show-servers}). */
    public record ServerPaths(java.nio.file.Path basebackups, java.nio.file.Path wals) {
    }
}
