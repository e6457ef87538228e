package io.barmand.restore;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.it.Barmand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * SIGTERM to the packaged daemon while `run-now restore-test` has a scratch instance running: the instance is
 * stopped, its folder removed, and the run recorded interrupted.
 */
@ResourceLock(ItServerLock.ITRESTORE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RestoreSigtermIT {
    Path dir;
    Path scratch;

    @BeforeEach
    void dirs() throws Exception {
        RestoreFixture.barmanConf();
        if (RestoreFixture.barman().listBackups(RestoreFixture.SERVER, Duration.ofMinutes(1)).stream()
                .noneMatch(b -> "DONE".equals(b.status()))) {
            RestoreFixture.backup();
        }
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-restore-sigterm-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        scratch = dir.resolve("scratch");
    }

    @AfterEach
    void clean() throws Exception {
        for (ProcessHandle p : RestoreFixture.postgresOn(scratch)) {
            p.destroyForcibly();
        }
        Scratch.deleteTree(dir);
    }

    @Test
    void sigtermDuringARestoreTestLeavesNoScratchInstance() throws Exception {
        Path conf = dir.resolve("barmand.conf");
        Files.writeString(conf, "barmand {\n"
                + "  barman.config-file = \"" + RestoreFixture.barmanConf() + "\"\n"
                + "  state-dir = \"" + dir.resolve("state") + "\"\n"
                + "  control-socket = \"" + dir.resolve("control.sock") + "\"\n"
                + "  shutdown-timeout = 60s\n"
                + "  servers { " + RestoreFixture.SERVER + " {\n"
                + "    check.schedule = off, switch-wal.schedule = off, backup.schedule = off\n"
                + "    restore-test {\n"
                + "      scratch-dir = \"" + scratch + "\"\n"
                + "      port-range = \"54440-54449\"\n"
                // holds the instance up long enough to be stopped mid-test
                + "      verify.assertions = [{ name = slow, query = \"SELECT pg_sleep(120)::text\", expect = \"\" }]\n"
                + "    }\n"
                + "  } }\n"
                + "}\n");
        Path folder = scratch.resolve(RestoreFixture.SERVER);
        try (Barmand.Daemon d = Barmand.Daemon.start(conf, dir.resolve("daemon.log"))) {
            Process cli = Barmand.startCli(dir.resolve("run-now.log"), "run-now", "restore-test", RestoreFixture.SERVER,
                    "--config", conf.toString());
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(folder.resolve("postmaster.pid")) && !RestoreFixture.postgresOn(folder).isEmpty()
                            && d.logText().contains("restore-test"));
            Thread.sleep(1500);
            assertThat(RestoreFixture.postgresOn(folder)).as("scratch instance running").isNotEmpty();
            long t0 = System.nanoTime();
            int exit = d.stop(Duration.ofSeconds(90));
            System.out.printf("daemon stopped in %.1f s, exit %d%n", (System.nanoTime() - t0) / 1e9, exit);
            assertThat(exit).isIn(0, 143);
            cli.waitFor();
        }
        assertThat(RestoreFixture.postgresOn(folder)).as("postgres on %s after SIGTERM", folder).isEmpty();
        assertThat(Barmand.processes("barmand-scratch-" + RestoreFixture.SERVER)).as("scratch backends after SIGTERM").isEmpty();
        assertThat(folder).doesNotExist();
        List<JsonNode> h = Barmand.history(conf);
        JsonNode run = h.stream().filter(r -> r.path("job").asText().equals("restore-test")).findFirst().orElseThrow();
        System.out.println("history: " + run);
        assertThat(run.path("outcome").asText()).isEqualTo("interrupted");
    }
}
