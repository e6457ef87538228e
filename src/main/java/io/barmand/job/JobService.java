package io.barmand.job;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunFigures;

/**
 * The contract of one kind of job, as a plain service: called by the runner (for Quartz, run-now, catch-up, chained
 * runs and retries) and by tests, never importing the scheduler. Registered in the schedule's JobRegistry.
 */
public interface JobService {
    JobKind kind();

    /**
     * Runs the job. Returns the figures of a successful or failed run; throws {@link BarmandException} (TIMEOUT,
     * INTERRUPTED, ...) when the run could not complete.
     */
    Result execute(RunContext ctx);

    /** A direct call with the job's settings and no options (tests, tools). */
    default Result execute(String server, JobSettings settings) {
        return execute(RunContext.of(server, settings, RunOptions.NONE));
    }

    /**
     * Checks a run's options before anything is recorded (offsite: a backup id; restore-test: target and backup
     * id). Jobs that take none refuse any. Throws {@link BarmandException} (USAGE) naming it.
     */
    default void check(RunOptions options) {
        if (!options.isEmpty()) {
            throw new BarmandException(Category.USAGE, "job '" + kind() + "' takes no option (" + options + ")");
        }
    }

    /** A finished run: success or not, and its figures. */
    record Result(boolean success, RunFigures figures) {
        public static Result ok(RunFigures f) {
            return new Result(true, f);
        }

        public static Result failed(RunFigures f) {
            return new Result(false, f);
        }
    }
}
