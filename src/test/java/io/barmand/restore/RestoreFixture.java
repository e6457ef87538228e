package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupOutcome;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.Settings;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The restore tests' fixture: the shared cluster "barmandit" (port 5499, made by pg-barman-fixture.sh) and a
 * Barman server of their own, "itrestore" (restore-fixture.sh): brings them up once, runs SQL on the primary, takes backups,
 * and builds a barmand configuration with a given restore-test block.
 */
final class RestoreFixture {
    static final String SERVER = "itrestore";
    static final int PG_PORT = 5499;
    static final CommandRunner RUNNER = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(3));
    private static Path conf;

    private RestoreFixture() {
    }

    static synchronized Path barmanConf() {
        if (conf == null) {
            // the shared fixture makes the cluster and Barman's roles; ours adds a Barman server of our own
            // (the shared fixture's `cluster` mode touches nothing of itpg's: an itpg test may run beside this class)
            for (List<String> f : List.of(List.of("pg-barman-fixture.sh", "cluster"), List.of("restore-fixture.sh", "up"))) {
                Path script = Path.of("src/test/resources/it", f.get(0)).toAbsolutePath();
                CommandResult r = RUNNER.run(List.of("bash", script.toString(), f.get(1)), Duration.ofMinutes(3));
                if (!r.ok()) {
                    throw new IllegalStateException(String.join(" ", f) + " failed: " + r.stderrTail());
                }
                String[] lines = r.stdout().strip().split("\n");
                conf = Path.of(lines[lines.length - 1].strip()); // restore-fixture.sh's, the last
            }
        }
        return conf;
    }

    static BarmanClient barman() {
        return new BarmanClient(RUNNER, Path.of("/usr/bin/barman"), Optional.of(barmanConf()));
    }

    /** psql as postgres on the fixture's primary; returns stdout (unaligned, tuples only). */
    static String psql(String db, String sql) {
        CommandResult r = RUNNER.run(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v",
                "ON_ERROR_STOP=1", "-p", Integer.toString(PG_PORT), "-d", db, "-c", sql), Duration.ofMinutes(2));
        if (!r.ok()) {
            throw new IllegalStateException("psql failed: " + sql + ": " + r.stderrTail());
        }
        return r.stdout().strip();
    }

    static void ensureDatabase(String db) {
        if (psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'").equals("0")) {
            psql("postgres", "CREATE DATABASE " + db);
        }
    }

    /** A new DONE backup of itpg; returns its id. */
    static String backup() {
        BackupOutcome b = barman().backup(SERVER, Duration.ofMinutes(10));
        if (!"DONE".equals(b.status())) {
            throw new IllegalStateException("backup failed: " + b);
        }
        return b.backupId();
    }

    static Path backupDataDir(String id) {
        return barmanConf().getParent().resolve("home").resolve(SERVER).resolve("base").resolve(id).resolve("data");
    }

    static void deleteBackup(String id) {
        RUNNER.run(List.of("barman", "-c", barmanConf().toString(), "delete", SERVER, id), Duration.ofMinutes(2));
    }

    /** A barmand.conf for itpg whose restore-test block is {@code block} (HOCON, inside restore-test { }). */
    static Settings settings(Path dir, String block) throws IOException {
        Path f = dir.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n"
                + "  barman.config-file = \"" + barmanConf() + "\"\n"
                + "  state-dir = \"" + dir.resolve("state") + "\"\n"
                + "  control-socket = \"" + dir.resolve("control.sock") + "\"\n"
                + "  servers { " + SERVER + " { restore-test {\n" + block + "\n} } }\n"
                + "}\n");
        return Settings.load(f, null);
    }

    static RestoreTestService service(Settings s) {
        Map<String, RestoreSettings> rs = s.restore();
        return new RestoreTestService(barman(), RUNNER, rs, Clock.systemUTC());
    }

    static JobSettings job(Settings s) {
        return s.servers().get(SERVER).job(JobKind.RESTORE_TEST);
    }

    /** Postgres processes whose command line names {@code dataDir}. */
    static List<ProcessHandle> postgresOn(Path dataDir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") && c.contains(dataDir.toString())).orElse(false))
                .toList();
    }
}
