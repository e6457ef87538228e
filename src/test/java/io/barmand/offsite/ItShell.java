package io.barmand.offsite;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Commands the offsite integration tests run on the host: asserted to succeed, stdout returned. */
final class ItShell {
    static final CommandRunner RUN = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(3));

    private ItShell() {
    }

    static String run(Duration timeout, String... argv) {
        CommandResult r = RUN.run(List.of(argv), timeout);
        assertThat(r.ok()).as("%s: exit %s\n%s\n%s", String.join(" ", argv), r.exitCode(), r.stdout(), r.stderrTail()).isTrue();
        return r.stdout().strip();
    }

    /** SQL on the shared IT cluster (port 5499) as postgres. */
    static String psql(String sql) {
        return run(Duration.ofMinutes(1), "runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                "-p", "5499", "-d", "postgres", "-c", sql);
    }
}
