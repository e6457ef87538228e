package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.config.RestoreSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a restore test's backup comes from and how it reaches the scratch folder: Barman ({@link FromBarman},
 * {@code barman recover}) or the offsite copy ({@link FromS3}, downloaded and checked against its manifest).
 */
interface BackupSource {
    /** The backup to test, its size and the disk it needs; null (with the failure in {@code rep}) when there is none. */
    Pick lookup(String server, RestoreSettings rs, Optional<Instant> targetTime, Report rep, Duration total, RunContext ctx);

    /**
     * Puts backup {@code id} into the instance's folder, ready to recover to the target; the seconds it took, or null
     * (with the failure in {@code rep}).
     */
    Double restore(String server, String id, RestoreSettings rs, Instance sc, Optional<Instant> targetTime, Report rep,
                   Duration total, RunContext ctx);

    /** The backup picked: its id, its size and the bytes the scratch folder needs (with its WAL). */
    record Pick(String backupId, Long sizeBytes, long neededBytes) {
    }
}
