package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.history.RunFigures;

/**
 * One kind of job as a plain service: called by its Quartz adapter, by {@code run-now} and by tests.
 * Registered in the {@link JobRegistry}; later kinds (offsite copy, restore test, retention, report) plug in here.
 */
public interface JobService {
    JobKind kind();

    /**
     * Runs the job for {@code server}. Returns the figures of a successful or failed run; throws
     * {@link io.barmand.error.BarmandException} (TIMEOUT, INTERRUPTED, ...) when the run could not complete.
     */
    Result execute(String server, JobSettings settings);

    /**
     * Checks a run-now argument before any run is recorded (offsite: a backup id; restore-test: target and backup
     * id). Jobs that take none refuse one. Throws {@link io.barmand.error.BarmandException} (USAGE) naming it.
     */
    default void checkArgument(String argument) {
        if (!argument.isEmpty()) {
            throw new io.barmand.error.BarmandException(io.barmand.error.Category.USAGE,
                    "job '" + kind() + "' takes no argument");
        }
    }

    /** Runs with a run-now argument, already accepted by {@link #checkArgument}; "" = none. */
    default Result execute(String server, JobSettings settings, String argument) {
        checkArgument(argument);
        return execute(server, settings);
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
