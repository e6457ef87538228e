package io.barmand.control;

import java.util.List;

/** What the control socket may ask of the daemon's life beyond runs: a reload, a restart when idle. */
public interface Lifecycle {
    /**
     * The outcome of a reload.
     *
     * @param problems every problem of the file, as check-config prints them; empty when it was taken
     * @param needRestart settings that changed but take effect only at the next start
     */
    record Reload(boolean reloaded, int jobs, List<String> problems, List<String> needRestart) {
    }

    /** Re-reads the configuration; {@code by} names who asked (the log says it). */
    Reload reload(String by);

    /**
     * A restart when no long run runs (a package upgrade): empty when nothing runs, the restart being the caller's;
     * else the runs it waits for, long runs being held back meanwhile, and the daemon exits with
     * {@code EXIT_RESTART} once they have ended, for the unit to start it again.
     */
    List<String> restartWhenIdle(String by);

    /** The exit code of a restart when idle (EX_TEMPFAIL); the unit's RestartForceExitStatus= and SuccessExitStatus=. */
    int EXIT_RESTART = 75;
}
