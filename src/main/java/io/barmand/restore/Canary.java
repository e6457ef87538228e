package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * The RPO canary on the primary: one row (id, barmand's timestamp, the job) written before each backup and each
 * switch-wal, in a small table of a dedicated schema. The only thing barmand ever writes on a production server,
 * and only when {@code canary.enabled}.
 */
public final class Canary {
    private final RestoreSettings.Canary c;

    public Canary(RestoreSettings.Canary c) {
        this.c = c;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (!c.user().isBlank()) {
            p.setProperty("user", c.user());
        }
        if (c.passwordFile().isPresent()) {
            try {
                p.setProperty("password", Files.readString(c.passwordFile().get()).strip());
            } catch (IOException e) {
                throw new SQLException("cannot read canary.password-file " + c.passwordFile().get() + ": " + e.getMessage());
            }
        }
        String t = Long.toString(Math.max(1, c.timeout().toSeconds()));
        p.setProperty("connectTimeout", t);
        p.setProperty("socketTimeout", t);
        p.setProperty("ApplicationName", "barmand canary");
        return DriverManager.getConnection(c.jdbcUrl(), p);
    }

    /** Writes one canary row stamped {@code at}; returns its id. */
    public long write(Instant at, String job) {
        try (Connection cn = connect(); Statement st = cn.createStatement()) {
            st.execute("SET statement_timeout = '" + c.timeout().toMillis() + "ms'");
            st.execute("CREATE SCHEMA IF NOT EXISTS \"" + c.schema().replace("\"", "\"\"") + "\"");
            st.execute("CREATE TABLE IF NOT EXISTS " + c.qualified()
                    + " (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL, job text NOT NULL)");
            try (PreparedStatement ps = cn.prepareStatement("INSERT INTO " + c.qualified()
                    + " (written_at, job) VALUES (?, ?) RETURNING id")) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setString(2, job);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new BarmandException(Category.UNAVAILABLE, "canary write on the primary failed: " + e.getMessage(), e);
        }
    }

    /** A canary row: its id and timestamp. */
    public record Row(long id, Instant writtenAt) {
    }

    /** The newest canary on the primary written at or before {@code t} (read-only). */
    public Optional<Row> lastOnPrimaryAtOrBefore(Instant t) {
        try (Connection cn = connect()) {
            return lastAtOrBefore(cn, c, t);
        } catch (SQLException e) {
            throw new BarmandException(Category.UNAVAILABLE, "cannot read the canary on the primary: " + e.getMessage(), e);
        }
    }

    static Optional<Row> lastAtOrBefore(Connection cn, RestoreSettings.Canary c, Instant t) throws SQLException {
        try (PreparedStatement ps = cn.prepareStatement("SELECT id, written_at FROM " + c.qualified()
                + (t == null ? "" : " WHERE written_at <= ?") + " ORDER BY written_at DESC, id DESC LIMIT 1")) {
            if (t != null) {
                ps.setTimestamp(1, Timestamp.from(t));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Row(rs.getLong(1), rs.getTimestamp(2).toInstant())) : Optional.empty();
            }
        }
    }

    static long countAfter(Connection cn, RestoreSettings.Canary c, Instant t) throws SQLException {
        try (PreparedStatement ps = cn.prepareStatement("SELECT count(*) FROM " + c.qualified() + " WHERE written_at > ?")) {
            ps.setTimestamp(1, Timestamp.from(t));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static boolean exists(Connection cn, RestoreSettings.Canary c, long id) throws SQLException {
        try (PreparedStatement ps = cn.prepareStatement("SELECT 1 FROM " + c.qualified() + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
