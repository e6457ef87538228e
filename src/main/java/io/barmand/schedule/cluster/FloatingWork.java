package io.barmand.schedule.cluster;

import io.barmand.config.JobKind;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * What a node does for one fire of a floating job. It returns only when the work has ended: a Quartz job store keeps
 * a fire's row (QRTZ_FIRED_TRIGGERS) only while its job executes, and that row is what another node recovers when
 * this one dies; a job that handed its work to a queue and returned would leave nothing to recover.
 */
@FunctionalInterface
public interface FloatingWork {
    void run(FloatingRun run) throws Exception;

    /**
     * A run of {@code kind} with {@code options} through the node's one path of every run ({@code submit}: the
     * schedule's JobRunner), waited for; recorded with trigger {@code recovered} when it re-runs a fire whose node died.
     * Throws when the run did not succeed, so that Quartz's log and the job listener see it.
     */
    static FloatingWork through(Function<RunRequest, Future<RunRecord>> submit, JobKind kind, RunOptions options) {
        return run -> {
            Trigger trigger = run.recovered() ? Trigger.RECOVERED : Trigger.SCHEDULED;
            RunRecord r;
            try {
                r = submit.apply(new RunRequest(kind, run.server(), trigger, options, 1)).get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : new BarmandException(Category.INTERNAL, String.valueOf(e.getCause()));
            }
            if (r.outcome() != Outcome.SUCCESS) {
                throw new BarmandException(Category.JOB_FAILED, run + ": run " + r.id() + " " + r.outcome().word()
                        + (r.error() == null ? "" : ": " + r.error()));
            }
        };
    }
}
