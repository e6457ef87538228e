package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** retention.newest-backup-max-age: derived from the backup schedule, or set, checked at load. */
class NewestBackupMaxAgeTest {
    @TempDir
    Path tmp;

    Path conf(String server) throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  servers { pg1 {\n" + server + "\n  } }\n}\n");
        return f;
    }

    Optional<Duration> maxAge(String server) throws IOException {
        Settings s = Settings.load(conf(server), (bin, cf, t) -> Set.of("pg1"));
        return s.servers().get("pg1").retention().orElseThrow().newestBackupMaxAge();
    }

    String problem(String server) throws IOException {
        Path f = conf(server);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Settings.load(f, (bin, cf, x) -> Set.of("pg1")));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).category()).isEqualTo(Category.CONFIG);
        assertThat(((BarmandException) t).exitCode()).isEqualTo(78);
        return t.getMessage();
    }

    @Test
    void autoIsThreeBackupIntervals() throws IOException {
        assertThat(maxAge("retention.enabled = true")).contains(Duration.ofDays(3));
        assertThat(maxAge("retention.enabled = true\nbackup.schedule = \"0 0 2 ? * SUN\"")).contains(Duration.ofDays(21));
        // weekdays only: the weekend's gap counts
        assertThat(maxAge("retention.enabled = true\nbackup.schedule = \"0 0 2 ? * MON-FRI\"")).contains(Duration.ofDays(9));
        // hourly: at least a day
        assertThat(maxAge("retention.enabled = true\nbackup.schedule = \"0 0 * * * ?\"")).contains(Duration.ofDays(1));
        assertThat(maxAge("retention.enabled = true\nbackup.schedule = off")).contains(Duration.ofDays(3));
    }

    @Test
    void offOrADuration() throws IOException {
        assertThat(maxAge("retention { enabled = true, newest-backup-max-age = off }")).isEmpty();
        assertThat(maxAge("retention { enabled = true, newest-backup-max-age = 10d }")).contains(Duration.ofDays(10));
    }

    @Test
    void aBadValueFailsTheLoadNamingTheKey() throws IOException {
        assertThat(problem("retention {\n enabled = true\n newest-backup-max-age = soon\n}"))
                .contains("servers.pg1.retention.newest-backup-max-age: must be \"auto\", \"off\" or a duration such as 3d, is \"soon\" (line 8)");
        assertThat(problem("retention {\n enabled = true\n newest-backup-max-age = 30m\n}"))
                .contains("servers.pg1.retention.newest-backup-max-age: must be at least 1h");
        assertThat(problem("backup.schedule = \"0 0 2 ? * SUN\"\nretention {\n enabled = true\n newest-backup-max-age = 2d\n}"))
                .contains("servers.pg1.retention.newest-backup-max-age: 2d is shorter than the backup schedule's longest interval 7d");
    }
}
