package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.config.RestoreSettings;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.RecoverRequest;
import io.barmand.process.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static io.barmand.restore.Steps.check;
import static io.barmand.restore.Steps.lastLines;
import static io.barmand.restore.Steps.left;

/**
 * The backup from Barman: the newest DONE one (ended before the target) or the one asked for, as Barman's
 * catalogue has it ({@link BarmanClient#newestDoneBackup}), recovered by {@code barman recover}.
 */
final class FromBarman implements BackupSource {
    private final BarmanClient barman;

    FromBarman(BarmanClient barman) {
        this.barman = barman;
    }

    @Override
    public Pick lookup(String server, RestoreSettings rs, Optional<Instant> targetTime, Report rep, Duration total, RunContext ctx) {
        String id = rs.backupId();
        BackupDetails d;
        if (id.equals("latest")) {
            Optional<BackupDetails> newest = barman.newestDoneBackup(server, targetTime, () -> left(total, ctx));
            if (newest.isEmpty()) {
                rep.fail("backup", "no DONE backup of " + server + (targetTime.isPresent() ? " ended before " + targetTime.get() : ""));
                return null;
            }
            d = newest.get();
            id = d.backupId();
        } else {
            rep.backupId = id;
            d = barman.showBackup(server, id, left(total, ctx));
        }
        rep.backupId = id;
        if (!"DONE".equals(d.status())) {
            rep.fail("backup", "backup " + id + " is " + d.status() + ", not DONE");
            return null;
        }
        return new Pick(id, d.sizeBytes(), d.sizeWithWalsBytes());
    }

    /** The {@code barman recover} of backup {@code id} into {@code dir}, to the target: the run's time or an LSN. */
    static RecoverRequest request(String server, String id, Path dir, RestoreSettings.Target target,
                                  Optional<Instant> targetTime) {
        RecoverRequest r = RecoverRequest.of(server, id, dir);
        if (!target.pointInTime()) {
            return r;
        }
        return targetTime.isPresent() ? r.toTime(targetTime.get()) : r.toLsn(target.lsn().orElseThrow());
    }

    @Override
    public Double restore(String server, String id, RestoreSettings rs, Instance sc, Optional<Instant> targetTime, Report rep,
                          Duration total, RunContext ctx) {
        RecoverRequest req = sc.recoverHere(request(server, id, sc.dir(), rs.target(), targetTime));
        long r0 = System.nanoTime();
        CommandResult rec = barman.recover(req, left(total, ctx));
        check(rec, "barman recover", total);
        double recoverSecs = (System.nanoTime() - r0) / 1e9;
        rep.facts.seconds(io.barmand.history.FactNames.RECOVER, recoverSecs);
        if (!rec.ok()) {
            rep.fail("recover", "barman recover exit code " + rec.exitCode() + ": " + lastLines(rec.stderrTail() + "\n" + rec.stdout(), 3));
            return null;
        }
        return recoverSecs;
    }
}
