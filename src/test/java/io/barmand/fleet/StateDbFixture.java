package io.barmand.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A dedicated, small PostgreSQL 15 cluster for the fleet's state database in integration tests: initdb and pg_ctl
 * (as user postgres) in a fresh folder under /var/tmp on a free port, listening on 127.0.0.1 only, password
 * (scram-sha-256) for TCP. Not the shared 5499 cluster: a test may {@link #stop()} and {@link #start()} it.
 *
 * <pre>
 * &#64;RegisterExtension static final StateDbFixture STATE = new StateDbFixture();
 * ... String url = STATE.newDatabase("fleet_a"); // jdbc:postgresql://127.0.0.1:PORT/fleet_a, owned by USER
 * </pre>
 * The cluster is made before the class's tests and removed after them (stopped, folder deleted).
 */
public class StateDbFixture implements BeforeAllCallback, AfterAllCallback {
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** The role the daemons log in as (owner of every database made by {@link #newDatabase}). */
    public static final String USER = "barmand";
    public static final String PASSWORD = "state-it-secret";
    private static final String SUPER_PASSWORD = "state-it-super";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private Path dir;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        create();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        destroy();
    }

    /** Makes and starts the cluster (beforeAll does it). */
    public synchronized void create() throws IOException, InterruptedException {
        assertThat(System.getProperty("user.name")).as("integration tests run as root").isEqualTo("root");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-statedb-" + port + "-");
        Path data = dir.resolve("data");
        Path pw = dir.resolve("superpw");
        Files.writeString(pw, SUPER_PASSWORD + "\n");
        run(List.of("chown", "-R", "postgres:postgres", dir.toString()));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        asPostgres(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync");
        Files.writeString(data.resolve("postgresql.conf"), """

                # StateDbFixture: small and fast, on a free port, sockets in the data folder
                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = '%s'
                max_connections = 60
                shared_buffers = 16MB
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                logging_collector = off
                """.formatted(port, data), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        start();
        try (Connection c = superConnection("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the cluster (again) and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "60", "start");
    }

    /** Stops the cluster (fast: open sessions are cut) and waits until it is down. */
    public synchronized void stop() throws IOException, InterruptedException {
        asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "-t", "60", "stop");
    }

    /** Stops the cluster and deletes its folder (afterAll does it); never throws. */
    public synchronized void destroy() {
        if (dir == null) {
            return;
        }
        try {
            asPostgres(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate",
                    "-w", "stop");
        } catch (Exception | AssertionError e) {
            // already stopped
        }
        try {
            run(List.of("rm", "-rf", dir.toString()));
        } catch (Exception | AssertionError e) {
            // left for the next cleanup of /var/tmp
        }
        dir = null;
    }

    /** A new empty database owned by {@link #USER}; its JDBC URL. */
    public String newDatabase(String prefix) {
        String name = (prefix + "_" + SEQ.incrementAndGet()).toLowerCase();
        try (Connection c = superConnection("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name + " OWNER " + USER);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    /** A password file for {@link #USER} in {@code folder}, mode 0600 as barmand's secret files must be. */
    public Path passwordFile(Path folder) {
        try {
            Path f = folder.resolve("state.password");
            Files.writeString(f, PASSWORD + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection as {@link #USER} to {@code url} (from {@link #newDatabase}). */
    public Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, USER, PASSWORD);
    }

    private Connection superConnection(String database) throws SQLException {
        return DriverManager.getConnection(url(database), "postgres", SUPER_PASSWORD);
    }

    private static void asPostgres(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("%s", cmd).isTrue();
        assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
    }
}
