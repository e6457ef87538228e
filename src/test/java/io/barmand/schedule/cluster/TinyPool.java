package io.barmand.schedule.cluster;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A pool of physical connections for the ITs (the state database's own pool is the fleet's, on its branch): a
 * connection closed goes back to the pool, rolled back and in auto-commit again; a broken one is dropped.
 */
final class TinyPool implements DataSource, AutoCloseable {
    private final DataSource physical;
    private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();

    TinyPool(DataSource physical) {
        this.physical = physical;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c;
        while ((c = idle.poll()) != null && !c.isValid(1)) {
            c.close();
        }
        Connection real = c != null ? c : physical.getConnection();
        boolean[] closed = {false};
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("close")) {
                        if (!closed[0]) {
                            closed[0] = true;
                            try {
                                if (!real.getAutoCommit()) {
                                    real.rollback();
                                    real.setAutoCommit(true);
                                }
                                idle.add(real);
                            } catch (SQLException e) {
                                real.close();
                            }
                        }
                        return null;
                    }
                    if (m.getName().equals("isClosed")) {
                        return closed[0];
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        throw new SQLException("not supported");
    }

    @Override
    public void close() {
        Connection c;
        while ((c = idle.poll()) != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
