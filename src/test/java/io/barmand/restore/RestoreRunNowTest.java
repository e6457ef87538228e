package io.barmand.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.control.ControlClient;
import io.barmand.control.ControlServer;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.process.CommandRunner;
import io.barmand.schedule.JobRegistry;
import io.barmand.schedule.JobRunner;
import io.barmand.testing.FakeBarman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run-now restore-test --target/--backup-id through the control socket into RestoreTestService, with a fake Barman
 * that has no backup: the run fails at "backup", and its history shows the target asked for (for that run only).
 */
class RestoreRunNowTest {
    @TempDir
    Path tmp;
    FakeBarman fake;
    Path socket;
    RunStore store;
    ControlServer control;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeBarman(tmp.resolve("bin")).answerText("list-backups", "{\"pg1\": []}", 0)
                .answerText("show-backup", "{}", 1);
        socket = tmp.resolve("c.sock");
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + fake.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + socket + "\"\n  servers { pg1 {} }\n}\n");
        Settings s = Settings.load(f, (bin, cf, t) -> Set.of("pg1"));
        Clock clock = Clock.systemUTC();
        CommandRunner cmd = new CommandRunner(clock, Duration.ofSeconds(1));
        RestoreTestService service = new RestoreTestService(new BarmanClient(cmd, fake.script(), s.barmanConfigFile()), cmd,
                s.restore(), clock);
        store = RunStore.open(tmp.resolve("state"), true);
        JobRunner runner = new JobRunner(s.servers(), new JobRegistry().register(service), store,
                io.barmand.testing.Limits.DEFAULTS, clock);
        control = new ControlServer(socket, runner);
        control.start();
    }

    @AfterEach
    void tearDown() {
        control.close();
        store.close();
    }

    /** A control request with "options" {"target": ..., "backupId": ...} (null: left out). */
    JsonNode runNow(String target, String backupId) {
        ObjectNode req = RunJson.MAPPER.createObjectNode().put("op", "run-now").put("job", "restore-test").put("server", "pg1");
        if (target != null || backupId != null) {
            ObjectNode o = req.putObject("options");
            if (target != null) {
                o.put("target", target);
            }
            if (backupId != null) {
                o.put("backupId", backupId);
            }
        }
        return ControlClient.request(socket, req);
    }

    @Test
    void theTargetAskedForIsUsedAndRecordedForThatRunOnly() throws Exception {
        JsonNode r = runNow("time:2026-11-24T01:00:00Z", null);
        assertThat(r.path("ok").asBoolean()).isTrue();
        RunRecord run = store.get(r.path("run").path("id").asLong()).orElseThrow();
        assertThat(run.facts().text("target")).contains("time:2026-11-24T01:00:00Z");
        assertThat(run.error()).contains("no DONE backup of pg1 ended before 2026-11-24T01:00:00Z");

        JsonNode plain = runNow(null, null);
        assertThat(store.get(plain.path("run").path("id").asLong()).orElseThrow().facts().text("target")).contains("end-of-wal");
    }

    @Test
    void theBackupAskedForIsLookedUp() throws Exception {
        JsonNode r = runNow("lsn:0/3000060", "20261124T010203");
        RunRecord run = store.get(r.path("run").path("id").asLong()).orElseThrow();
        assertThat(run.error()).contains("show-backup pg1 20261124T010203");
        assertThat(Files.readString(tmp.resolve("bin/calls.log"))).contains("show-backup -- pg1 20261124T010203");
    }

    @Test
    void aBadOptionIsAUsageErrorAndRunsNothing() {
        JsonNode r = runNow("yesterday", null);
        assertThat(r.path("ok").asBoolean()).isFalse();
        assertThat(r.path("exitCode").asInt()).isEqualTo(64);
        assertThat(r.path("error").asText()).contains("--target", "end-of-wal", "ago:30m", "yesterday");
        assertThat(runNow(null, "last").path("error").asText()).contains("--backup-id", "latest");
        assertThat(store.list(null, null, 10)).isEmpty();
    }
}
