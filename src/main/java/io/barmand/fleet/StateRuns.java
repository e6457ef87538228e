package io.barmand.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.history.RunChange;
import io.barmand.history.RunRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

/** The run history of the fleet in the state database ({@code runs}): the forwarder's {@link RunSink}. */
public final class StateRuns implements RunSink {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String UPSERT = """
            INSERT INTO runs (node, local_id, change_seq, server, job, trigger, outcome, requested, started, ended,
                              duration_ms, waited_ms, attempt, backup_id, size_bytes, throughput, failed_checks, error,
                              detail, facts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb)
            ON CONFLICT (node, local_id) DO UPDATE SET
              change_seq = EXCLUDED.change_seq, server = EXCLUDED.server, job = EXCLUDED.job,
              trigger = EXCLUDED.trigger, outcome = EXCLUDED.outcome, requested = EXCLUDED.requested,
              started = EXCLUDED.started, ended = EXCLUDED.ended, duration_ms = EXCLUDED.duration_ms,
              waited_ms = EXCLUDED.waited_ms, attempt = EXCLUDED.attempt, backup_id = EXCLUDED.backup_id,
              size_bytes = EXCLUDED.size_bytes, throughput = EXCLUDED.throughput,
              failed_checks = EXCLUDED.failed_checks, error = EXCLUDED.error, detail = EXCLUDED.detail,
              facts = EXCLUDED.facts, copied_at = now()
            WHERE runs.change_seq < EXCLUDED.change_seq""";
    private final StateDatabase db;

    public StateRuns(StateDatabase db) {
        this.db = db;
    }

    @Override
    public void put(String node, List<RunChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        db.migrate();
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (RunChange ch : changes) {
                    bind(ps, node, ch);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement ps, String node, RunChange ch) throws SQLException {
        RunRecord r = ch.run();
        ps.setString(1, node);
        ps.setLong(2, r.id());
        ps.setLong(3, ch.seq());
        ps.setString(4, r.server());
        ps.setString(5, r.job());
        ps.setString(6, r.trigger().word());
        ps.setString(7, r.outcome().word());
        ps.setTimestamp(8, ts(r.requested()));
        ps.setTimestamp(9, ts(r.started()));
        ps.setTimestamp(10, ts(r.ended()));
        setLong(ps, 11, r.durationMs());
        setLong(ps, 12, r.waitedMs());
        ps.setInt(13, r.attempt());
        ps.setString(14, r.backupId());
        setLong(ps, 15, r.sizeBytes());
        setLong(ps, 16, r.throughputBytesPerSec());
        try {
            ps.setString(17, r.failedChecks().isEmpty() ? null : JSON.writeValueAsString(r.failedChecks()));
        } catch (JsonProcessingException e) {
            throw new SQLException(e);
        }
        ps.setString(18, r.error());
        ps.setString(19, r.detail());
        ps.setString(20, r.facts().toStored());
    }

    static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }
}
