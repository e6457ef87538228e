package io.barmand.offsite;

import io.barmand.config.JobKind;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.schedule.JobRunner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the offsite copy of a server once its backup has succeeded (and released the server's lock), on a
 * thread of its own so that the backup run (and `run-now backup`) returns at once.
 */
public final class AfterBackup implements Consumer<RunRecord> {
    private static final Logger log = LoggerFactory.getLogger(AfterBackup.class);
    private final JobRunner runner;
    private final OffsiteService service;
    private final ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "offsite-after-backup");
        t.setDaemon(true);
        return t;
    });

    public AfterBackup(JobRunner runner, OffsiteService service) {
        this.runner = runner;
        this.service = service;
    }

    /** Redoes, one after the other, the copies a previous barmand left unfinished (killed, even with -9). */
    public void resumeUnfinished() {
        for (String server : service.unfinished()) {
            log.warn("{}: the last offsite copy was cut short: redoing it", server);
            exec.submit(() -> runner.run(JobKind.OFFSITE, server, Trigger.CATCH_UP));
        }
    }

    @Override
    public void accept(RunRecord r) {
        if (!JobKind.BACKUP.id().equals(r.job()) || r.outcome() != Outcome.SUCCESS || !service.enabled(r.server())) {
            return;
        }
        log.info("{}: backup {} done, offsite copy follows", r.server(), r.backupId());
        exec.submit(() -> runner.run(JobKind.OFFSITE, r.server(), Trigger.AFTER_BACKUP,
                r.backupId() == null ? "" : r.backupId()));
    }
}
