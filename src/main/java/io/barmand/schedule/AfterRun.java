package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.RetryPolicy;
import io.barmand.config.ServerSettings;
import io.barmand.history.Outcome;
import io.barmand.history.RunHistory;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobRunner}'s follow-ups, once a run has ended and is recorded: the runs that follow a success
 * ({@link FollowUps}: after a backup, its offsite copy, then retention) and the retry a failure's policy asks for,
 * planned on {@link Delays} and re-armed at the start for the failures a previous barmand left.
 */
final class AfterRun {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.run");

    private final RunHistory store;
    private final Clock clock;
    private final Delays delays;
    /** the runner's submitRecorded: a follow-up or retry nobody waits for */
    private final Consumer<RunRequest> submit;
    private final BooleanSupplier stopping;
    /** what follows a successful run, swapped whole by the wiring (at the start, by a reload) */
    private volatile List<FollowUps> followUps = List.of();

    AfterRun(RunHistory store, Clock clock, Delays delays, Consumer<RunRequest> submit, BooleanSupplier stopping) {
        this.store = store;
        this.clock = clock;
        this.delays = delays;
        this.submit = submit;
        this.stopping = stopping;
    }

    void followUps(List<FollowUps> f) {
        this.followUps = List.copyOf(f);
    }

    /** The follow-ups of a run of {@code req} that ended as {@code rec}, or its retry by {@code retry}. */
    void ended(RunRecord rec, RunRequest req, RetryPolicy retry) {
        if (rec.outcome() == Outcome.SUCCESS) {
            for (FollowUps f : followUps) {
                f.next(req.kind(), req.trigger(), rec.server()).ifPresent(then -> {
                    log.info("{}: {} {} done, {} follows", rec.server(), req.kind(),
                            rec.backupId() == null ? "run " + rec.id() : rec.backupId(), then);
                    submit.accept(new RunRequest(then, rec.server(), Trigger.AFTER_BACKUP,
                            RunOptions.backup(rec.backupId()), 1));
                });
            }
        } else if (rec.outcome() == Outcome.FAILED) {
            if (retry.allowsAnotherAfter(req.attempt()) && !stopping.getAsBoolean()) {
                retryLater(req, rec.id(), retry.after());
            } else if (retry.max() > 0) {
                log.error("run {} {}: attempt {} failed, no retry left (retry.max = {})", rec.id(), JobRunner.who(req),
                        req.attempt(), retry.max());
            }
        }
    }

    private void retryLater(RunRequest failed, long failedRunId, Duration after) {
        RunRequest next = new RunRequest(failed.kind(), failed.server(), Trigger.RETRY, failed.options(), failed.attempt() + 1);
        log.warn("run {} {}: attempt {} failed; attempt {} in {}", failedRunId, JobRunner.who(failed), failed.attempt(),
                next.attempt(), after);
        delays.after(after, () -> {
            Optional<RunRecord> newest = store.lastRun(failed.server(), failed.kind().id(), false);
            if (newest.isPresent() && newest.get().id() != failedRunId) {
                log.info("{} {}: retry of run {} not needed, run {} came since ({})", failed.server(), failed.kind(),
                        failedRunId, newest.get().id(), newest.get().outcome().word());
                return;
            }
            submit.accept(next);
        });
    }

    /** The retries a previous barmand left pending, re-armed (see {@link JobRunner#resumeRetries}). */
    int resumeRetries(Map<String, ServerSettings> servers, Collection<JobKind> kinds) {
        int n = 0;
        for (ServerSettings ss : servers.values()) {
            for (JobKind k : kinds) {
                JobSettings js = ss.job(k);
                if (js == null || !js.enabled() || js.retry().max() == 0) {
                    continue;
                }
                Optional<RunRecord> last = store.lastRun(ss.name(), k.id(), false);
                if (last.isEmpty() || last.get().outcome() != Outcome.FAILED || !js.retry().allowsAnotherAfter(last.get().attempt())
                        || last.get().ended() == null) {
                    continue;
                }
                RunRecord f = last.get();
                Duration left = Duration.between(clock.instant(), f.ended().plus(js.retry().after()));
                RunRequest failed = new RunRequest(k, ss.name(), f.trigger(), RunOptions.NONE, f.attempt());
                retryLater(failed, f.id(), left.isNegative() ? Duration.ZERO : left);
                n++;
            }
        }
        return n;
    }
}
