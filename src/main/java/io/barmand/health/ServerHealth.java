package io.barmand.health;

import io.barmand.history.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One server as the report, the alerts, {@code status --check} and the metrics see it.
 *
 * @param lastBackup the newest successful backup run
 * @param lastBackupRun the newest backup run that ended (success, failed, interrupted)
 * @param lastOffsite the newest offsite run that ended
 * @param lastRestoreTest the newest restore test that ended
 * @param lastRestoreOk the newest restore test that passed
 * @param lastCheck the newest check that ended
 * @param newestWal when Barman archived its newest WAL file, if known
 * @param restorability whether it can be restored, and to when
 */
public record ServerHealth(String server, Optional<RunRecord> lastBackup, Optional<RunRecord> lastBackupRun,
                           Optional<RunRecord> lastOffsite, Optional<RunRecord> lastRestoreTest,
                           Optional<RunRecord> lastRestoreOk, Optional<RunRecord> lastCheck, Optional<Instant> newestWal,
                           List<Missed> missed, List<Problem> problems, Restorability restorability) {
    public ServerHealth {
        missed = List.copyOf(missed);
        problems = List.copyOf(problems);
    }

    public Severity severity() {
        return problems.stream().map(Problem::severity).reduce(Severity.OK, Severity::max);
    }
}
