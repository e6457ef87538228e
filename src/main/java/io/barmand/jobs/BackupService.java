package io.barmand.jobs;

import io.barmand.history.FactNames;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.BackupOutcome;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.log.LogFields;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A backup: `switch-wal --archive` first (WAL archiving must work, or the backup cannot be restored), then
 * `backup --wait`, then the figures from `show-backup`. The job's timeout bounds the whole sequence.
 */
public class BackupService implements JobService {
    private final BarmanClient barman;
    private final Map<String, ServerSettings> servers;

    public BackupService(BarmanClient barman, Map<String, ServerSettings> servers) {
        this.barman = barman;
        this.servers = servers;
    }

    @Override
    public JobKind kind() {
        return JobKind.BACKUP;
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        JobSettings s = ctx.settings();
        JobSettings sw = servers.get(server).job(JobKind.SWITCH_WAL);
        BarmanClient.Call c = barman.switchWal(server, sw.force(), sw.archiveTimeout(), min(sw.timeout(), s.timeout()));
        if (!c.ok()) {
            return Result.failed(RunFigures.error("switch-wal before the backup failed: " + c.error()));
        }
        checkInterrupted();
        BackupOutcome b = barman.backup(server, left(ctx));
        // the lines that follow (show-backup, the outcome, a chained copy) name it in the journal
        LogFields.backupId(b.backupId());
        if (b.backupId() == null || !"DONE".equals(b.status()) || b.error() != null) {
            String err = b.error() != null ? b.error() : "backup status " + b.status();
            return Result.failed(new RunFigures(b.backupId(), null, null, List.of(), err, null));
        }
        checkInterrupted();
        BackupDetails d;
        try {
            d = barman.showBackup(server, b.backupId(), left(ctx).plusMinutes(1));
        } catch (BarmandException e) {
            if (e.category() == Category.INTERRUPTED) {
                throw e;
            }
            return Result.ok(new RunFigures(b.backupId(), null, null, List.of(), null, "show-backup failed: " + e.getMessage()));
        }
        String detail = String.format(java.util.Locale.ROOT, "copy %.1fs, %s with WALs", d.copyTimeSeconds(),
                io.barmand.history.Sizes.human(d.sizeWithWalsBytes()));
        io.barmand.history.Facts facts = io.barmand.history.Facts.builder().bytes(FactNames.SIZE, d.sizeBytes())
                .bytes(FactNames.SIZE_WITH_WALS, d.sizeWithWalsBytes()).seconds(FactNames.COPY, d.copyTimeSeconds())
                .bytes(FactNames.THROUGHPUT_PER_SECOND, d.throughputBytesPerSec()).build();
        return Result.ok(new RunFigures(b.backupId(), d.sizeBytes(), d.throughputBytesPerSec(), List.of(), null, detail, facts));
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "interrupted (daemon stopping)");
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** The time the run has left before its deadline (at least a second: Barman is given a chance to answer). */
    private static Duration left(RunContext ctx) {
        Duration d = ctx.left();
        return d.isZero() ? Duration.ofSeconds(1) : d;
    }
}
