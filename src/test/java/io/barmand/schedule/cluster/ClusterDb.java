package io.barmand.schedule.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL 15 cluster of its own for the clustered scheduler's ITs (port 5493, /var/tmp/barmandit-fleetq,
 * loopback only, a password), created and started when missing and left running for the next run, as the other
 * fixtures do; each test gets a fresh database with the V2 migration's Quartz tables ({@link #freshDatabase}).
 * Until the fleet's state-database fixture replaces it.
 */
final class ClusterDb {
    static final int PORT = 5493;
    static final Path BASE = Path.of("/var/tmp/barmandit-fleetq");
    static final String BIN = "/usr/lib/postgresql/15/bin/";
    static final String PASSWORD = "fleetq-it";
    static final Path MIGRATION = Path.of("src/main/resources/db/state/V2__quartz.sql");

    private ClusterDb() {
    }

    static synchronized void up() throws IOException, InterruptedException {
        Files.createDirectories(BASE);
        try (FileChannel ch = FileChannel.open(BASE.resolve("fixture.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = ch.lock()) {
            Path data = BASE.resolve("data");
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                Path pw = BASE.resolve("pw");
                Files.writeString(pw, PASSWORD + "\n");
                run("chown", "-R", "postgres:postgres", BASE.toString());
                run("runuser", "-u", "postgres", "--", BIN + "initdb", "-D", data.toString(), "-U", "postgres",
                        "--pwfile=" + pw, "--auth-local=peer", "--auth-host=scram-sha-256");
            }
            if (new ProcessBuilder("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "status", "-D", data.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() != 0) {
                run("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "start", "-w", "-D", data.toString(), "-l",
                        BASE.resolve("log").toString(), "-o", "-p " + PORT + " -k " + BASE + " -c listen_addresses=127.0.0.1"
                                + " -c fsync=off -c synchronous_commit=off -c max_connections=200");
            }
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    static String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + PORT + "/" + database;
    }

    static PGSimpleDataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url(database));
        ds.setUser("postgres");
        ds.setPassword(PASSWORD);
        return ds;
    }

    /** Database {@code name} dropped if there, created, and given the V2 migration (Quartz's tables, the lock rows). */
    static PGSimpleDataSource freshDatabase(String name) throws Exception {
        up();
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        PGSimpleDataSource ds = dataSource(name);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(Files.readString(MIGRATION)); // as Flyway runs it: one script, one transaction
        } catch (SQLException e) {
            throw new IllegalStateException("V2__quartz.sql: " + e.getMessage(), e);
        }
        return ds;
    }
}
