package io.barmand.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.barmand.vocabulary.Capability;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's row in {@code nodes}, written every {@code state.heartbeat}: its version, the servers it owns, the runs
 * in progress, what it can run, its forwarding backlog. Times are the state database's ({@code now()}), so that the
 * age of a heartbeat does not depend on the clocks of the nodes.
 */
public final class Heartbeat {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String UPSERT = """
            INSERT INTO nodes (name, version, capabilities, servers, running, first_heartbeat, last_heartbeat, backlog)
            VALUES (?, ?, ?, ?, ?::jsonb, now(), now(), ?)
            ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, capabilities = EXCLUDED.capabilities,
              servers = EXCLUDED.servers, running = EXCLUDED.running, last_heartbeat = now(), backlog = EXCLUDED.backlog""";
    private final StateDatabase db;
    private final String node;
    private final String version;
    private final Supplier<? extends Collection<String>> servers;
    private final Supplier<List<Running>> running;
    private final Supplier<Set<Capability>> capabilities;
    private final LongSupplier backlog;

    public Heartbeat(StateDatabase db, String node, String version, Supplier<? extends Collection<String>> servers,
                     Supplier<List<Running>> running, Supplier<Set<Capability>> capabilities, LongSupplier backlog) {
        this.db = db;
        this.node = node;
        this.version = version;
        this.servers = servers;
        this.running = running;
        this.capabilities = capabilities;
        this.backlog = backlog;
    }

    public void beat() throws SQLException {
        db.migrate();
        ArrayNode runs = JSON.createArrayNode();
        for (Running r : running.get()) {
            runs.addObject().put("server", r.server()).put("job", r.job()).put("started", r.started().toString());
        }
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(UPSERT)) {
            ps.setString(1, node);
            ps.setString(2, version);
            ps.setArray(3, c.createArrayOf("text", Capability.ids(capabilities.get()).toArray()));
            ps.setArray(4, c.createArrayOf("text", servers.get().stream().sorted().toArray()));
            ps.setString(5, runs.toString());
            ps.setLong(6, backlog.getAsLong());
            ps.executeUpdate();
        }
    }
}
