package io.barmand.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.cli.Main;
import io.barmand.config.FleetSettings;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.vocabulary.Capability;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two nodes (in this JVM, each with its own local history) on one real PostgreSQL 15 state database: their runs
 * reach it; the state database stopped while runs are recorded costs nothing locally, and once it is back every run
 * is there exactly once, as the node last recorded it, copied in the order of its changes; both heartbeats show in
 * {@code fleet status --json}; {@code fleet forget} refuses a live node.
 */
class FleetStateIT {
    @RegisterExtension
    static final StateDbFixture STATE = new StateDbFixture();
    static final ObjectMapper JSON = new ObjectMapper();
    static final FleetNode.Tuning FAST = new FleetNode.Tuning(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2));

    @TempDir
    Path tmp;

    record Node(String name, RunStore store, FleetNode fleet, AtomicReference<List<Running>> running) {
    }

    Node node(String name, String url, Path password) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        RunStore store = RunStore.open(dir, true);
        FleetSettings fs = new FleetSettings(Optional.of(new FleetSettings.State(url, StateDbFixture.USER,
                Optional.of(password), 2)), name, Duration.ofSeconds(1), Duration.ofSeconds(10));
        AtomicReference<List<Running>> running = new AtomicReference<>(List.of());
        FleetNode f = FleetNode.of(fs, store, "it", () -> List.of("pg-" + name), running::get,
                () -> EnumSet.of(Capability.BACKUP), FAST, Clock.systemUTC());
        f.start();
        return new Node(name, store, f, running);
    }

    /** A host-bound run as the runner records it: queued, started, ended. */
    static long run(Node n, String job, Outcome outcome) {
        Instant t = Instant.now();
        long id = n.store().queue("pg-" + n.name(), job, Trigger.SCHEDULED, t, 1);
        n.store().begin(id, t, 0);
        n.store().finish(id, outcome, Instant.now(), 5, outcome == Outcome.SUCCESS ? RunFigures.NONE : RunFigures.error("it failed"));
        return id;
    }

    @Test
    void twoNodesOneStateDatabaseThatGoesAwayAndComesBack() throws Exception {
        String url = STATE.newDatabase("fleet");
        Path password = STATE.passwordFile(Files.createDirectories(tmp.resolve("secrets")));
        Node a = node("node-a", url, password);
        Node b = node("node-b", url, password);
        try {
            List<Long> idsA = new ArrayList<>();
            List<Long> idsB = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                idsA.add(run(a, "check", Outcome.SUCCESS));
                idsB.add(run(b, "backup", Outcome.SUCCESS));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(url) == 10);

            // a run in progress shows in the heartbeat
            a.running().set(List.of(new Running("pg-node-a", "backup", Instant.parse("2026-12-08T01:00:00Z"))));
            await().atMost(Duration.ofSeconds(15)).until(() -> status(tmp, url, password).path("nodes").size() == 2
                    && status(tmp, url, password).path("nodes").get(0).path("running").size() == 1);

            // the state database goes away while runs are recorded here: nothing waits for it
            long down = System.nanoTime();
            STATE.stop();
            long writes = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                idsA.add(run(a, "check", i % 5 == 0 ? Outcome.FAILED : Outcome.SUCCESS));
                idsB.add(run(b, "switch-wal", Outcome.SUCCESS));
            }
            long writeMs = (System.nanoTime() - writes) / 1_000_000;
            long openA = a.store().start("pg-node-a", "backup", Trigger.SCHEDULED, Instant.now());
            await().atMost(Duration.ofSeconds(45)).until(() -> a.fleet().forwarder().down(Clock.systemUTC())
                    .filter(d -> d.toSeconds() >= 20).isPresent() && b.fleet().forwarder().down(Clock.systemUTC()).isPresent());
            assertThat(a.fleet().forwarder().backlog()).isGreaterThanOrEqualTo(61);
            assertThat(b.fleet().forwarder().backlog()).isGreaterThanOrEqualTo(60);
            a.store().finish(openA, Outcome.SUCCESS, Instant.now(), 1, RunFigures.NONE);
            idsA.add(openA);
            STATE.start();
            long outageMs = (System.nanoTime() - down) / 1_000_000;

            // back: every run of both nodes there once, as the node last recorded it
            await().atMost(Duration.ofSeconds(30)).until(() -> a.fleet().forwarder().backlog() == 0
                    && b.fleet().forwarder().backlog() == 0);
            assertThat(count(url)).isEqualTo(idsA.size() + idsB.size());
            for (Node n : List.of(a, b)) {
                List<RunRecord> local = n.store().list(null, null, 1000);
                try (Connection c = STATE.connect(url); PreparedStatement ps = c.prepareStatement(
                        "SELECT local_id, outcome, error, change_seq, copied_at FROM runs WHERE node = ? ORDER BY change_seq")) {
                    ps.setString(1, n.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        int rows = 0;
                        java.sql.Timestamp previous = null;
                        while (rs.next()) {
                            rows++;
                            long id = rs.getLong(1);
                            RunRecord r = local.stream().filter(x -> x.id() == id).findFirst().orElseThrow();
                            assertThat(rs.getString(2)).as("run %d of %s", id, n.name()).isEqualTo(r.outcome().word());
                            assertThat(rs.getString(3)).isEqualTo(r.error());
                            // copied in the order of the changes: a later change never copied before an earlier one
                            if (previous != null) {
                                assertThat(rs.getTimestamp(5)).isAfterOrEqualTo(previous);
                            }
                            previous = rs.getTimestamp(5);
                        }
                        assertThat(rows).isEqualTo(local.size());
                    }
                }
            }
            // both heartbeats in fleet status --json, young again
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                JsonNode s = status(tmp, url, password);
                return s.path("nodes").size() == 2 && s.path("nodes").get(0).path("heartbeat_age_seconds").asDouble() < 5
                        && s.path("nodes").get(1).path("heartbeat_age_seconds").asDouble() < 5;
            });
            JsonNode s = status(tmp, url, password);
            assertThat(s.path("nodes").findValuesAsText("name")).containsExactly("node-a", "node-b");
            assertThat(s.path("nodes").get(1).path("servers").get(0).asText()).isEqualTo("pg-node-b");
            assertThat(s.path("nodes").get(0).path("capabilities").get(0).asText()).isEqualTo("backup");
            assertThat(s.path("nodes").get(0).path("silent").asBoolean()).isFalse();
            // a live node is not forgotten
            Cli forget = cli(tmp, url, password, "fleet", "forget", "node-b");
            assertThat(forget.exit()).isEqualTo(75);
            assertThat(forget.err()).contains("node node-b is alive");
            // history --node reads the fleet's record
            Cli history = cli(tmp, url, password, "history", "--node", "node-b", "--limit", "3", "--json");
            assertThat(history.exit()).isZero();
            assertThat(JSON.readTree(history.out())).hasSize(3);
            System.out.printf("FleetStateIT: state database down %.1f s; %d runs recorded meanwhile in %d ms; "
                    + "%d runs of 2 nodes present once after it came back%n", outageMs / 1000.0, 41, writeMs,
                    idsA.size() + idsB.size());
        } finally {
            a.fleet().close();
            b.fleet().close();
            a.store().close();
            b.store().close();
        }
    }

    static long count(String url) {
        try (Connection c = STATE.connect(url); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM runs")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    record Cli(int exit, String out, String err) {
    }

    static Cli cli(Path tmp, String url, Path password, String... args) throws Exception {
        Path conf = tmp.resolve("cli.conf");
        Files.writeString(conf, """
                barmand {
                  state-dir = "%s"
                  control-socket = "%s"
                  state { url = "%s", user = "%s", password-file = "%s", heartbeat = 1s }
                  fleet.node-silent-after = 10s
                }
                """.formatted(tmp.resolve("cli-state"), tmp.resolve("c.sock"), url, StateDbFixture.USER, password));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--config", conf.toString()));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Cli(exit, out.toString(), err.toString());
    }

    static JsonNode status(Path tmp, String url, Path password) throws Exception {
        Cli c = cli(tmp, url, password, "fleet", "status", "--json");
        assertThat(c.exit()).as(c.err()).isZero();
        return JSON.readTree(c.out());
    }
}
