package io.barmand.restore;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * pgjdbc connections to the scratch instance through its UNIX socket (junixsocket's socket factory): the instance
 * listens on no TCP address, and its socket sits in a 0700 folder, so nobody but barmand's user reaches its data.
 */
final class ScratchDb {
    private final Path socketDir;
    private final int port;
    private final String user;
    private final boolean tcp;

    ScratchDb(Path socketDir, int port, String user) {
        this(socketDir, port, user, false);
    }

    /** With {@code tcp}: 127.0.0.1:port (the local end of an SSH tunnel to a scratch host's loopback). */
    ScratchDb(Path socketDir, int port, String user, boolean tcp) {
        this.socketDir = socketDir;
        this.port = port;
        this.user = user;
        this.tcp = tcp;
    }

    Connection connect(String database, int timeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (!tcp) {
            p.setProperty("socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg");
            p.setProperty("socketFactoryArg", socketDir.resolve(".s.PGSQL." + port).toString());
        }
        p.setProperty("sslmode", "disable");
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", Integer.toString(Math.max(timeoutSeconds, 600)));
        p.setProperty("ApplicationName", "barmand restore-test");
        p.setProperty("assumeMinServerVersion", "12");
        return DriverManager.getConnection("jdbc:postgresql://" + (tcp ? "127.0.0.1" : "localhost") + ":" + port + "/" + database, p);
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
