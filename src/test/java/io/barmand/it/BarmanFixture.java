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
 * cron so that receive-wal streams, deletes itpg's backups cut short by earlier tests, waits until barman check is OK).
 * A class that uses it holds itpg first: {@code @ResourceLock(ItServerLock.ITPG)} and
 * {@code @ExtendWith({ItServerLock.class, BarmanFixture.class})}, in that order.
 */
public class BarmanFixture implements BeforeAllCallback {
    public static final Path SCRIPT = Path.of("src/test/resources/it/pg-barman-fixture.sh");
    public static final Path BASE = Path.of("/var/tmp/barmandit");
    private static volatile Path barmanConf;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        up();
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

    /**
     * Before each test: the full fixture ({@link #up()}, several Barman calls) only when it has something to do, that
     * is when an earlier test left a backup of itpg cut short (FAILED, STARTED: `barman check` fails until it is
     * deleted) or stopped itpg's receive-wal; otherwise nothing (one `barman list-backups`).
     */
    public static Path ready() throws IOException, InterruptedException {
        if (barmanConf == null || Barmand.processes("receive-wal itpg", barmanConf.toString()).isEmpty()) {
            return up();
        }
        Process p = new ProcessBuilder("barman", "-c", barmanConf.toString(), "-f", "json", "list-backups", "itpg")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        com.fasterxml.jackson.databind.JsonNode j = Barmand.JSON.readTree(p.getInputStream());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0 || !j.path("itpg").isArray()) {
            return up();
        }
        for (com.fasterxml.jackson.databind.JsonNode b : j.path("itpg")) {
            if (!b.path("status").asText().equals("DONE")) {
                return up();
            }
        }
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
