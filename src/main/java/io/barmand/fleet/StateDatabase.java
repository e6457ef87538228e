package io.barmand.fleet;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.barmand.config.FleetSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's PostgreSQL state database: a small pool of connections ({@link #dataSource()}, which the clustered
 * scheduler's JDBC job store shares) and its schema, created and migrated by Flyway from
 * {@code classpath:db/state} ({@link #migrate()}). Opening never connects: a daemon starts while the state database
 * is down, and its forwarder migrates the schema at its first connection.
 */
public final class StateDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.fleet");
    public static final String MIGRATIONS = "classpath:db/state";
    private final FleetSettings.State settings;
    private final HikariDataSource pool;
    private volatile boolean migrated;

    private StateDatabase(FleetSettings.State settings, HikariDataSource pool) {
        this.settings = settings;
        this.pool = pool;
    }

    /** The pool for {@code state} (no connection made yet); {@code connectTimeout}: how long a connection is waited for. */
    public static StateDatabase open(FleetSettings.State state, String nodeName, Duration connectTimeout) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("barmand-state");
        c.setJdbcUrl(state.url());
        c.setUsername(state.user());
        state.passwordFile().ifPresent(p -> {
            try {
                c.setPassword(Files.readString(p).strip());
            } catch (IOException e) {
                throw new BarmandException(Category.CONFIG, p + ": cannot read the state database's password ("
                        + e.getMessage() + ")", e);
            }
        });
        c.setMaximumPoolSize(state.poolSize());
        c.setMinimumIdle(Math.min(1, state.poolSize()));
        c.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
        c.setValidationTimeout(Math.max(250, Math.min(5000, connectTimeout.toMillis())));
        // never fail at start: a state database that is down delays the fleet view, it stops no daemon
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("ApplicationName", "barmand " + nodeName);
        c.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, connectTimeout.toSeconds())));
        c.addDataSourceProperty("socketTimeout", "60");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        return new StateDatabase(state, new HikariDataSource(c));
    }

    /** The pool: every connection to the state database goes through it. */
    public DataSource dataSource() {
        return pool;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /** "jdbc:postgresql://host/db", for messages (the settings refuse a password in it). */
    public String where() {
        return settings.url();
    }

    /**
     * Creates or migrates the schema (once per process; Flyway takes an advisory lock, so nodes that start together
     * take turns). A state database newer than this barmand is refused (its versions unknown here).
     */
    public synchronized void migrate() {
        if (migrated) {
            return;
        }
        try {
            MigrateResult r = Flyway.configure(StateDatabase.class.getClassLoader()).dataSource(pool)
                    .locations(MIGRATIONS).table("flyway_schema_history")
                    .validateMigrationNaming(true).load().migrate();
            if (r.migrationsExecuted > 0) {
                log.info("state database {}: schema migrated to version {} ({} migration(s))", where(),
                        r.targetSchemaVersion, r.migrationsExecuted);
            }
            migrated = true;
        } catch (FlywayException e) {
            throw new BarmandException(Category.UNAVAILABLE, "state database " + where() + ": cannot create or migrate "
                    + "its schema: " + Link.message(e), e);
        }
    }

    public boolean migrated() {
        return migrated;
    }

    @Override
    public void close() {
        pool.close();
    }
}
