package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** state {}, node {} and fleet {} read from a real file: off by default, what loads, every problem named at once. */
class FleetSettingsTest {
    @TempDir
    Path tmp;
    FakeBarman barman;
    final ServerCatalog knows = (bin, cf, t) -> Set.of("pg1");

    @BeforeEach
    void setUp() {
        barman = new FakeBarman(tmp.resolve("bin"));
    }

    Path conf(String body) throws IOException {
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n" + body + "\n  servers { pg1 {} }\n}\n");
        return f;
    }

    Path secret(String perms) throws IOException {
        Path p = tmp.resolve("state.password");
        Files.writeString(p, "s3cr3t\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    @Test
    void withoutStateThereIsNoFleetAndTheNodeIsTheHost() throws IOException {
        FleetSettings f = Settings.load(conf(""), knows).fleet();
        assertThat(f.enabled()).isFalse();
        assertThat(f.state()).isEmpty();
        assertThat(f.nodeName()).isEqualTo(HostProbes.localHostName());
        assertThat(f.heartbeat()).isEqualTo(Duration.ofMinutes(1));
        assertThat(f.nodeSilentAfter()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aStateDatabaseLoadsWithItsPasswordFileAndTheNodeName() throws IOException {
        Path pw = secret("rw-------");
        Settings s = Settings.load(conf("""
                  state { url = "jdbc:postgresql://db.example.net:5432/barmand_state", user = fleet, password-file = "%s",
                          heartbeat = 5s }
                  node.name = "backup-1"
                  fleet.node-silent-after = 30s
                """.formatted(pw)), knows);
        FleetSettings f = s.fleet();
        assertThat(f.state()).contains(new FleetSettings.State("jdbc:postgresql://db.example.net:5432/barmand_state",
                "fleet", Optional.of(pw), 4));
        assertThat(f.nodeName()).isEqualTo("backup-1");
        assertThat(f.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(f.nodeSilentAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.filesNamed()).contains(pw);
    }

    @Test
    void everyProblemIsNamedAtOnceWithItsKeyAndFile() throws IOException {
        Path pw = secret("rw-r--r--");
        Path f = conf("""
                  state { url = "postgresql://db/x", user = "", password-file = "%s", pool-size = 0, heartbeat = 0s }
                  node.name = "-bad name"
                """.formatted(pw));
        Throwable t = catchThrowable(() -> Settings.load(f, knows));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).category()).isEqualTo(Category.CONFIG);
        assertThat(t.getMessage()).contains(
                f + ": barmand.state.url: must be a PostgreSQL JDBC URL",
                f + ": barmand.state.user: must not be empty",
                f + ": barmand.state.password-file: " + pw + " is readable by everyone",
                f + ": barmand.state.pool-size: must be between 1 and 64, is 0",
                f + ": barmand.state.heartbeat: must be positive",
                f + ": barmand.node.name: \"-bad name\" is not a node name");
    }

    @Test
    void aPasswordInTheUrlOrAMissingFileIsRefused() throws IOException {
        Path f = conf("""
                  state { url = "jdbc:postgresql://db/x?user=a&password=hunter2", password-file = "%s/none" }
                  state.heartbeat = 1m
                  fleet.node-silent-after = 90s
                """.formatted(tmp));
        Throwable t = catchThrowable(() -> Settings.load(f, knows));
        assertThat(t.getMessage()).contains(
                "barmand.state.url: holds a password: put it in state.password-file",
                "barmand.state.password-file: " + tmp + "/none does not exist or is not readable",
                "barmand.fleet.node-silent-after: must be at least twice state.heartbeat (1m)")
                .doesNotContain("hunter2");
    }

    @Test
    void theEffectiveConfigShowsThePasswordFileNeverAPassword() throws IOException {
        Path pw = secret("rw-------");
        Settings s = Settings.load(conf("state { url = \"jdbc:postgresql://db/x\", password-file = \"" + pw + "\" }"), knows);
        assertThat(s.dumpOneLine()).contains("jdbc:postgresql://db/x").doesNotContain("s3cr3t");
    }
}
