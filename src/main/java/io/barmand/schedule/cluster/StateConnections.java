package io.barmand.schedule.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;

/**
 * Quartz's connections from the state database's one pool (the fleet's DataSource): Quartz borrows one per
 * transaction (an acquisition, a check-in, a fire, a completion) and returns it at once; it sets auto-commit off
 * itself and restores it on close. The pool belongs to its owner: {@link #shutdown} leaves it open.
 */
final class StateConnections implements ConnectionProvider {
    private final DataSource db;

    StateConnections(DataSource db) {
        this.db = db;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return db.getConnection();
    }

    @Override
    public void shutdown() {
        // the pool is the state database's, closed by its owner after the schedulers
    }

    @Override
    public void initialize() {
        // nothing: the DataSource is ready
    }
}
