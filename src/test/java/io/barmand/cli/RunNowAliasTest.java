package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.control.ControlServer;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.jobs.SwitchWalService;
import io.barmand.process.CommandRunner;
import io.barmand.schedule.JobRegistry;
import io.barmand.schedule.JobRunner;
import io.barmand.testing.FakeBarman;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code barmand run-now switch-xlog pg1}, Barman's old name, from the command line through the control socket of a
 * running job runner: the run is switch-wal's, recorded as switch-wal, and barman is asked for switch-wal.
 */
class RunNowAliasTest {
    @TempDir
    Path tmp;
    Path conf;
    FakeBarman fake;
    RunStore store;
    ControlServer control;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeBarman(tmp.resolve("bin")).answer("switch-wal", "switch-wal.json", 0);
        Path socket = tmp.resolve("c.sock");
        conf = tmp.resolve("barmand.conf");
        Files.writeString(conf, "barmand {\n  barman.binary = \"" + fake.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + socket + "\"\n  servers { pg1 { switch-xlog.archive-timeout = 7s } }\n}\n");
        Settings s = Settings.load(conf, (bin, cf, t) -> Set.of("pg1"));
        Clock clock = Clock.systemUTC();
        CommandRunner cmd = new CommandRunner(clock, Duration.ofSeconds(1));
        store = RunStore.open(tmp.resolve("state"), true);
        JobRunner runner = new JobRunner(s.servers(), new JobRegistry().register(
                new SwitchWalService(new BarmanClient(cmd, fake.script(), s.barmanConfigFile()))), store,
                io.barmand.testing.Limits.DEFAULTS, clock);
        control = new ControlServer(socket, runner);
        control.start();
    }

    @AfterEach
    void tearDown() {
        control.close();
        store.close();
    }

    int run(String... args) {
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void switchXlogRunsSwitchWal() throws Exception {
        assertThat(run("run-now", "switch-xlog", "pg1", "--json", "--config", conf.toString())).as(err.toString()).isZero();
        JsonNode r = RunJson.MAPPER.readTree(out.toString());
        assertThat(r.path("job").asText()).isEqualTo("switch-wal");
        assertThat(r.path("outcome").asText()).isEqualTo("success");
        RunRecord rec = store.get(r.path("id").asLong()).orElseThrow();
        assertThat(rec.job()).isEqualTo("switch-wal");
        // the block written as switch-xlog is switch-wal's: its archive-timeout reaches barman
        List<String> calls = Files.readAllLines(tmp.resolve("bin/calls.log"));
        assertThat(calls).anySatisfy(c -> assertThat(c).startsWith("switch-wal").contains("--archive-timeout 7").endsWith("pg1"));
        assertThat(calls).noneSatisfy(c -> assertThat(c).contains("switch-xlog"));
    }
}
