package io.barmand.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.Trigger;
import io.barmand.vocabulary.Capability;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the fleet looks like, read from the state database: its nodes ({@code fleet status}), a node's runs
 * ({@code history --node}), and forgetting a node that left ({@code fleet forget}).
 */
public final class FleetView {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StateDatabase db;

    public FleetView(StateDatabase db) {
        this.db = db;
    }

    /**
     * A node as its last heartbeat left it; {@code age}: how long ago that was, by the state database's clock.
     * {@code floating}: the floating jobs it ran last (filled by the clustered scheduler's part; empty here).
     */
    public record Node(String name, String version, List<Capability> capabilities, List<String> servers,
                       List<Running> running, Instant firstHeartbeat, Instant lastHeartbeat, Duration age, long backlog) {
        public boolean silent(Duration after) {
            return age.compareTo(after) > 0;
        }
    }

    /** Every node, by name. */
    public List<Node> nodes() {
        String sql = "SELECT name, version, capabilities, servers, running, first_heartbeat, last_heartbeat, backlog,"
                + " EXTRACT(EPOCH FROM (now() - last_heartbeat)) * 1000 AS age_ms FROM nodes ORDER BY name";
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            List<Node> out = new ArrayList<>();
            while (rs.next()) {
                List<Running> running = new ArrayList<>();
                for (JsonNode r : JSON.readTree(rs.getString("running"))) {
                    running.add(new Running(r.path("server").asText(), r.path("job").asText(),
                            Instant.parse(r.path("started").asText())));
                }
                out.add(new Node(rs.getString("name"), rs.getString("version"),
                        List.copyOf(Capability.known(texts(rs.getArray("capabilities")))), texts(rs.getArray("servers")),
                        running, rs.getTimestamp("first_heartbeat").toInstant(),
                        rs.getTimestamp("last_heartbeat").toInstant(),
                        Duration.ofMillis(Math.max(0, Math.round(rs.getDouble("age_ms")))), rs.getLong("backlog")));
            }
            return out;
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw unavailable("read the nodes", e);
        }
    }

    /** The runs of {@code node} (null: every node), newest first, filtered as {@code history} filters. */
    public List<RunRecord> runs(String node, String server, String job, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM runs WHERE true");
        List<Object> args = new ArrayList<>();
        for (String[] f : new String[][] {{"node", node}, {"server", server}, {"job", job}}) {
            if (f[1] != null) {
                sql.append(" AND ").append(f[0]).append(" = ?");
                args.add(f[1]);
            }
        }
        sql.append(" ORDER BY started DESC, local_id DESC LIMIT ?");
        args.add(limit);
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<RunRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(run(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unavailable("read the runs", e);
        }
    }

    /**
     * Removes {@code name} from the nodes (its runs stay in the history). Refused while the node is heard from: its
     * heartbeat younger than {@code silentAfter} (stop it first, or it comes back at its next heartbeat).
     */
    public Node forget(String name, Duration silentAfter) {
        Node n = nodes().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(() ->
                new BarmandException(Category.USAGE, "fleet forget: no node " + name + " in the state database "
                        + db.where() + " (nodes: " + String.join(", ", nodes().stream().map(Node::name).toList()) + ")"));
        if (!n.silent(silentAfter)) {
            throw new BarmandException(Category.BUSY, "fleet forget: node " + name + " is alive: its last heartbeat is "
                    + n.age().toSeconds() + " s old, younger than fleet.node-silent-after (" + silentAfter.toSeconds()
                    + " s). Stop barmand there (or remove state.url from its configuration) and wait, then forget it");
        }
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM nodes WHERE name = ? AND now() - last_heartbeat > ?::interval")) {
            ps.setString(1, name);
            ps.setString(2, silentAfter.toMillis() + " milliseconds");
            if (ps.executeUpdate() == 0) {
                throw new BarmandException(Category.BUSY, "fleet forget: node " + name + " sent a heartbeat just now: not forgotten");
            }
            return n;
        } catch (SQLException e) {
            throw unavailable("forget node " + name, e);
        }
    }

    private Connection open() throws SQLException {
        db.migrate();
        return db.connection();
    }

    private BarmandException unavailable(String what, Exception e) {
        return new BarmandException(Category.UNAVAILABLE, "state database " + db.where() + ": cannot " + what + ": "
                + Link.message(e), e);
    }

    private static List<String> texts(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.stream((Object[]) a.getArray()).map(String::valueOf).toList();
    }

    private static RunRecord run(ResultSet rs) throws SQLException {
        List<String> failed = List.of();
        String fc = rs.getString("failed_checks");
        if (fc != null) {
            try {
                failed = JSON.readValue(fc, new TypeReference<List<String>>() { });
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                failed = List.of(fc);
            }
        }
        return new RunRecord(rs.getLong("local_id"), rs.getString("server"), rs.getString("job"),
                Trigger.of(rs.getString("trigger")), instant(rs.getTimestamp("started")), instant(rs.getTimestamp("ended")),
                Outcome.of(rs.getString("outcome")), getLong(rs, "duration_ms"), rs.getString("backup_id"),
                getLong(rs, "size_bytes"), getLong(rs, "throughput"), failed, rs.getString("error"),
                rs.getString("detail"), instant(rs.getTimestamp("requested")), getLong(rs, "waited_ms"),
                rs.getInt("attempt"), facts(rs.getString("facts")));
    }

    private static Facts facts(String stored) {
        try {
            return Facts.fromStored(stored);
        } catch (IllegalArgumentException e) {
            return Facts.NONE;
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Long getLong(ResultSet rs, String col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    /** A floating job (run by the clustered scheduler on any able node) and where and when it last ran. */
    public record Floating(String job, String node, Instant lastRun) {
    }

    /**
     * The floating jobs and where they last ran. The seam of the clustered scheduler (issue 24, part B): it reads
     * its own tables; until it does, there are none.
     */
    public List<Floating> floating() {
        return List.of();
    }

    /** The node named {@code name}, if it is in the state database. */
    public Optional<Node> node(String name) {
        return nodes().stream().filter(n -> n.name().equals(name)).findFirst();
    }
}
