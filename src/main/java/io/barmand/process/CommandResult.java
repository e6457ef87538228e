package io.barmand.process;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one external command did.
 *
 * @param stdout the whole standard output (up to the runner's limit) when asked for, else its tail
 * @param stderrTail the last part of the standard error
 * @param exitCode the exit code; -1 when the process could not be started
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderrTail, Instant started,
                            Duration duration, boolean timedOut, boolean interrupted) {

    public boolean ok() {
        return exitCode == 0 && !timedOut && !interrupted;
    }

    public String command() {
        return String.join(" ", argv);
    }
}
