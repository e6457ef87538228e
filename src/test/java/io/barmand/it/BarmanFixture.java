package io.barmand.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real PostgreSQL 15 + Barman 3.4 for the integration tests: runs src/test/resources/it/pg-barman-fixture.sh up
 * (idempotent: creates or restarts the cluster "barmandit" on port 5499, writes the Barman config, runs barman
 * cron so that receive-wal streams, deletes backups cut short by earlier tests, waits until barman check is OK).
 */
public class BarmanFixture implements BeforeAllCallback, org.junit.jupiter.api.extension.AfterAllCallback {
    public static final Path SCRIPT = Path.of("src/test/resources/it/pg-barman-fixture.sh");
    public static final Path BASE = Path.of("/var/tmp/barmandit");
    private static volatile Path barmanConf;

    /** Test classes that drive server itpg take this lock, so that two test runs on one host take turns. */
    public static final Path CLASS_LOCK = Path.of("/var/tmp/barmandit.itpg-tests.lock");
    private java.nio.channels.FileChannel lockChannel;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        lockChannel = java.nio.channels.FileChannel.open(CLASS_LOCK, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        lockChannel.lock(); // blocks while another run's test class holds it
        up();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (lockChannel != null) {
            lockChannel.close(); // releases the lock
        }
    }

    /** Runs the fixture; returns Barman's config file. */
    public static synchronized Path up() throws IOException, InterruptedException {
        assertThat(System.getProperty("user.name")).as("integration tests run as root").isEqualTo("root");
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), "up").redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("pg-barman-fixture.sh up: %s", out).isZero();
        List<String> lines = out.strip().lines().toList();
        barmanConf = Path.of(lines.get(lines.size() - 1).strip());
        assertThat(barmanConf).exists();
        return barmanConf;
    }

    public static Path barmanConf() {
        return barmanConf != null ? barmanConf : BASE.resolve("barman.conf");
    }

    /** A barmand config for the IT cluster; {@code body} goes inside `barmand { }` after the common lines. */
    public static Path barmandConf(Path dir, String body) throws IOException {
        Path f = dir.resolve("barmand.conf");
        Files.writeString(f, """
                barmand {
                  barman.config-file = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  shutdown-timeout = 30s
                  kill-grace = 5s
                  defaults {
                    check.schedule = off
                    switch-wal { schedule = off, archive-timeout = 30s }
                    backup { schedule = off, timeout = 5m }
                  }
                %s
                }
                """.formatted(barmanConf(), dir.resolve("state"), dir.resolve("control.sock"), body));
        return f;
    }
}
