package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.testing.FakeBarman;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code barmand restore} and {@code wal-restore} without a bucket: refusals and usage errors, the configuration
 * of a host without Barman, and {@code --from barman} against a fake barman (the S3 paths run in ITs against
 * S3Proxy and PostgreSQL 15: io.barmand.restore.DisasterRestoreIT, WalRestoreIT).
 */
class RestoreCliTest {
    @TempDir
    Path tmp;
    Path conf;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        conf = tmp.resolve("barmand.conf");
        Path creds = tmp.resolve("s3.credentials");
        Files.writeString(creds, "[default]\naws_access_key_id = a\naws_secret_access_key = b\n");
        Files.setPosixFilePermissions(creds, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // a disaster-day file: no Barman on this host, neither its binary nor its configuration
        Files.writeString(conf, """
                barmand {
                  barman.binary = "/nonexistent/barman"
                  barman.config-file = "/nonexistent/barman.conf"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { pg1 {}, pg2 { offsite.enabled = false } }
                  defaults.offsite { enabled = true, endpoint = "http://127.0.0.1:9", bucket = b, retries.max = 0,
                                      credentials-file = "%s" }
                }
                """.formatted(tmp.resolve("state"), tmp.resolve("c.sock"), creds));
    }

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void aFolderThatIsNotEmptyIsRefusedUntouched() throws Exception {
        Path dir = tmp.resolve("used");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("PG_VERSION"), "15\n");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("barmand: " + dir + " is not empty");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("PG_VERSION");
        }
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", file.toString())).isEqualTo(64);
        assertThat(err.toString()).contains(file + " exists and is not a directory");
    }

    @Test
    void badOptionsExit64BeforeAnythingIsMade() {
        Path dir = tmp.resolve("new");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--target", "yesterday")).isEqualTo(64);
        assertThat(err.toString()).contains("--target must be");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--from", "tape")).isEqualTo(64);
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--wal", "stream")).isEqualTo(64);
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--from", "barman", "--wal", "fetch"))
                .isEqualTo(64);
        assertThat(err.toString()).contains("--wal is for --from s3");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--backup-id", "yesterday")).isEqualTo(64);
        assertThat(run("restore", "--config", conf.toString(), "pg1")).isEqualTo(64);
        assertThat(run("restore", "--config", conf.toString(), "pg9", "--to", dir.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("unknown server 'pg9'");
        assertThat(dir).doesNotExist();
    }

    @Test
    void offsiteOffIsAConfigErrorAndBarmanIsNeededOnlyFromBarman() {
        Path dir = tmp.resolve("new");
        assertThat(run("restore", "--config", conf.toString(), "pg2", "--to", dir.toString())).isEqualTo(78);
        assertThat(err.toString()).contains("barmand.servers.pg2.offsite.enabled");
        assertThat(dir).doesNotExist();
        // from Barman, the same file is refused: its Barman is not there
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString(), "--from", "barman")).isEqualTo(78);
        assertThat(err.toString()).contains("barmand.barman.binary: /nonexistent/barman does not exist");
    }

    @Test
    void anUnreachableBucketFailsAndTheFolderSaysItIsNotUsable() throws Exception {
        Path dir = tmp.resolve("new");
        assertThat(run("restore", "--config", conf.toString(), "pg1", "--to", dir.toString())).isEqualTo(69);
        assertThat(err.toString()).contains("does not answer").contains(dir + " is NOT usable");
        assertThat(Files.readString(dir.resolve("BARMAND-RESTORE-INCOMPLETE"))).startsWith("FAILED: ").contains("NOT usable");
        assertThat(dir.resolve("recovery.signal")).doesNotExist();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void walRestoreUsageAndConfigErrors() {
        Path dest = tmp.resolve("RECOVERYXLOG");
        assertThat(run("wal-restore", "--config", conf.toString(), "pg1", "../../etc/passwd", dest.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("is not a WAL file name");
        assertThat(run("wal-restore", "--config", conf.toString(), "--fatal-errors", "pg1", "nope", dest.toString())).isEqualTo(126);
        assertThat(err.toString()).contains("(exit 126: recovery stops)");
        assertThat(run("wal-restore", "--config", conf.toString(), "pg9", "000000010000000000000001", dest.toString())).isEqualTo(64);
        assertThat(run("wal-restore", "--config", conf.toString(), "pg2", "000000010000000000000001", dest.toString())).isEqualTo(78);
        // the bucket does not answer: 69, or 126 for PostgreSQL to stop rather than end the recovery there
        assertThat(run("wal-restore", "--config", conf.toString(), "pg1", "000000010000000000000001", dest.toString())).isEqualTo(69);
        assertThat(run("wal-restore", "--config", conf.toString(), "--fatal-errors", "pg1", "00000002.history", dest.toString()))
                .isEqualTo(126);
        assertThat(out.toString()).isEmpty();
        assertThat(dest).doesNotExist();
    }

    @Test
    void theCommandIsFoundBehindConfig() {
        assertThat(Main.command(new String[] {"--config", "wal-restore", "restore", "x"})).isEqualTo("restore");
        assertThat(Main.command(new String[] {"wal-restore", "--config", "f", "pg1"})).isEqualTo("wal-restore");
        assertThat(Main.command(new String[] {"--version"})).isEmpty();
    }

    @Test
    void fromBarmanRunsBarmanRecoverWithTheTargetAndWritesTheMissingConfigFiles() throws Exception {
        FakeBarman fake = new FakeBarman(tmp.resolve("bin"))
                .answer("list-backups", "list-backups.json", 0)
                .answer("show-backup", "show-backup.json", 0);
        Files.writeString(conf, Files.readString(conf).replace("/nonexistent/barman.conf", "").replace("/nonexistent/barman",
                fake.script().toString()).replace("servers { pg1 {}, pg2 { offsite.enabled = false } }", "servers { itpg {} }"));
        Path dir = tmp.resolve("restored");
        assertThat(run("restore", "--config", conf.toString(), "itpg", "--to", dir.toString(), "--from", "barman",
                "--target", "time:2026-11-24T01:00:00Z")).as(err.toString()).isZero();
        List<String> calls = Files.readAllLines(tmp.resolve("bin/calls.log"));
        assertThat(calls).contains("recover --target-time 2026-11-24 01:00:00.000000+00:00 --target-action promote -- itpg 20261123T235922 "
                + dir);
        assertThat(dir.resolve("postgresql.conf")).exists();
        assertThat(Files.readString(dir.resolve("pg_hba.conf"))).contains("local all all peer");
        assertThat(dir.resolve("BARMAND-RESTORE-INCOMPLETE")).doesNotExist();
        assertThat(out.toString()).contains("backup 20261123T235922 of itpg from Barman")
                .contains("pg_verifybackup: not run, the backup has no backup_manifest")
                .contains("restored itpg backup 20261123T235922 into " + dir)
                .contains("pg_ctl -D " + dir);
    }
}
