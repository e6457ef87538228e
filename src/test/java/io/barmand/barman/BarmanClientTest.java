package io.barmand.barman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.barman.BarmanRecords.BackupDetails;
import io.barmand.barman.BarmanRecords.BackupOutcome;
import io.barmand.barman.BarmanRecords.CheckReport;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parses real `barman -f json` output of Barman 3.4 (captured from the IT cluster) through a fake barman. */
class BarmanClientTest {
    static final Duration T = Duration.ofSeconds(10);
    @TempDir
    Path tmp;
    FakeBarman fake;
    BarmanClient client;

    @BeforeEach
    void setUp() {
        fake = new FakeBarman(tmp);
        client = new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), fake.script(),
                Optional.of(Path.of("/etc/barman-it.conf")));
    }

    @Test
    void passesConfigFileAndJsonFormat() {
        assertThat(client.argv("check", "itpg")).containsExactly(fake.script().toString(), "-c", "/etc/barman-it.conf",
                "-f", "json", "check", "itpg");
    }

    @Test
    void checkAllOk() {
        fake.answer("check", "check-ok.json", 0);
        CheckReport r = client.check("itpg", T);
        assertThat(r.ok()).isTrue();
        assertThat(r.checks()).hasSize(22).containsKey("receive_wal_running");
        assertThat(r.failedChecks()).isEmpty();
    }

    @Test
    void checkNamesTheFailedChecks() {
        fake.answer("check", "check-failed.json", 1);
        CheckReport r = client.check("itbad", T);
        assertThat(r.ok()).isFalse();
        assertThat(r.failedChecks()).containsExactly("pg_basebackup_compatible", "pg_receivexlog_compatible", "postgresql",
                "receive_wal_running", "wal_archive");
        assertThat(r.checks().get("wal_archive").hint()).isEqualTo("please make sure WAL shipping is setup");
    }

    @Test
    void checkOfAnUnknownServerCarriesBarmansError() {
        fake.answer("check", "check-unknown.json", 1);
        CheckReport r = client.check("nosuch", T);
        assertThat(r.ok()).isFalse();
        assertThat(r.messages().errors()).containsExactly("Unknown server 'nosuch'");
    }

    @Test
    void backupOutcome() {
        fake.answer("backup", "backup.json", 0);
        BackupOutcome b = client.backup("itpg", T);
        assertThat(b.backupId()).isEqualTo("20261123T235922");
        assertThat(b.status()).isEqualTo("DONE");
        assertThat(b.error()).isNull();
        assertThat(fake.calls()).containsExactly("backup --wait -- itpg");
    }

    @Test
    void failedBackup() {
        fake.answer("backup", "backup-failed.json", 1);
        BackupOutcome b = client.backup("itbad", T);
        assertThat(b.backupId()).isNull();
        assertThat(b.error()).startsWith("Impossible to start the backup");
    }

    @Test
    void showBackupFigures() {
        fake.answer("show-backup", "show-backup.json", 0);
        BackupDetails d = client.showBackup("itpg", "20261123T235922", T);
        assertThat(d.backupId()).isEqualTo("20261123T235922");
        assertThat(d.status()).isEqualTo("DONE");
        assertThat(d.sizeBytes()).isEqualTo(23191918L);
        assertThat(d.sizeWithWalsBytes()).isEqualTo(39969134L);
        assertThat(d.throughputBytesPerSec()).isEqualTo(2956231L);
        assertThat(d.copyTimeSeconds()).isBetween(7.8, 7.9);
    }

    @Test
    void listBackups() {
        fake.answer("list-backups", "list-backups.json", 0);
        var l = client.listBackups("itpg", T);
        assertThat(l).hasSize(1);
        assertThat(l.get(0).backupId()).isEqualTo("20261123T235922");
        assertThat(l.get(0).sizeBytes()).isEqualTo(39969134L);
        assertThat(l.get(0).endTimeEpoch()).isEqualTo(1795478370L);
    }

    @Test
    void newestDoneBackupComesFromListBackups() {
        // two more backups around the real one: the newest is still running, an older one failed
        String json = FakeBarman.sample("list-backups.json").replace("[{", "[{\"backup_id\": \"20261124T010000\", "
                + "\"status\": \"STARTED\"}, {\"backup_id\": \"20261122T010000\", \"status\": \"FAILED\"}, {");
        fake.answerText("list-backups", json, 0);
        assertThat(client.listBackups("itpg", T)).hasSize(3);
        assertThat(client.newestDone("itpg", T)).contains("20261123T235922");
        fake.answerText("list-backups", "{\"itpg\": []}", 0);
        assertThat(client.newestDone("itpg", T)).isEmpty();
    }

    @Test
    void serverPathsFromShowServers() {
        fake.answer("show-servers", "show-servers.json", 0);
        var p = client.serverPaths("itpg", T);
        assertThat(p.basebackups()).isEqualTo(Path.of("/var/tmp/barmandit/home/itpg/base"));
        assertThat(p.wals()).isEqualTo(Path.of("/var/tmp/barmandit/home/itpg/wals"));
        fake.answerText("show-servers", "{\"itpg\": {\"active\": true}}", 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.serverPaths("itpg", T))
                .hasMessageContaining("no basebackups_directory / wals_directory");
    }

    @Test
    void newestDoneBackupIsReadFromBarmansFilesWithoutABarmanCall() throws Exception {
        Path base = java.nio.file.Files.createDirectories(tmp.resolve("home/itpg/base"));
        Path wals = java.nio.file.Files.createDirectories(tmp.resolve("home/itpg/wals"));
        fake.answerText("show-servers", "{\"itpg\": {\"basebackups_directory\": \"" + base + "\", \"wals_directory\": \""
                + wals + "\"}}", 0);
        for (String[] b : new String[][] {{"20261101T010000", "DONE", "000000010000000000000002"},
                {"20261102T010000", "DONE", "000000010000000000000005"}, {"20261103T010000", "FAILED", "000000010000000000000008"}}) {
            Path d = java.nio.file.Files.createDirectories(base.resolve(b[0]));
            java.nio.file.Files.writeString(d.resolve("backup.info"), "backup_label='START WAL LOCATION: 0/2000028\\n'\nbegin_wal="
                    + b[2] + "\nsize=1000\nstatus=" + b[1] + "\nbegin_time=2026-11-02 01:00:00.5+00:00\n");
        }
        StringBuilder db = new StringBuilder();
        for (int i = 1; i <= 9; i++) {
            db.append(String.format("00000001000000000000000%d\t100\t1796120854.6\tNone%n", i));
        }
        db.append("000000010000000000000005.00000028.backup\t7\t1796120854.6\tNone\n00000002.history\t3\t1796120854.6\tNone\n");
        java.nio.file.Files.writeString(wals.resolve("xlog.db"), db);

        BackupDetails d = client.newestDoneOnDisk("itpg").orElseThrow();
        assertThat(d.backupId()).isEqualTo("20261102T010000"); // the FAILED one after it is skipped
        assertThat(d.status()).isEqualTo("DONE");
        assertThat(d.sizeBytes()).isEqualTo(1000);
        assertThat(d.sizeWithWalsBytes()).isEqualTo(1000 + 5 * 100 + 7); // segments 5..9 and the .backup file
        assertThat(fake.calls()).containsExactly("show-servers -- all"); // the folders once, then no Barman call

        java.nio.file.Files.writeString(base.resolve("20261102T010000/backup.info"), "status=DONE\n"); // no size: ask Barman
        assertThat(client.newestDoneOnDisk("itpg")).isEmpty();
        assertThat(client.newestDoneOnDisk("other")).isEmpty();
    }

    @Test
    void backupInfoTimesRead() {
        assertThat(BackupInfo.time("2026-12-01 14:27:07.681138+00:00"))
                .isEqualTo(java.time.Instant.parse("2026-12-01T14:27:07.681138Z"));
        assertThat(BackupInfo.time("2026-12-01 15:27:07+01:00")).isEqualTo(java.time.Instant.parse("2026-12-01T14:27:07Z"));
    }

    @Test
    void recoverIsCalledWithItsOptionsOnConsoleOutput() {
        fake.answerText("recover", "Starting local restore for server itpg", 0);
        var r = client.recover("itpg", "20261123T235922", Path.of("/tmp/dest"), java.util.List.of("--target-lsn", "0/3000060"), T);
        assertThat(r.ok()).isTrue();
        assertThat(fake.calls()).contains("recover --target-lsn 0/3000060 -- itpg 20261123T235922 /tmp/dest");
    }

    @Test
    void statusAndReplicationStatus() {
        fake.answer("status", "status.json", 0).answer("replication-status", "replication-status.json", 0);
        assertThat(client.status("itpg", T).fields()).containsEntry("last_backup", "20261123T235922")
                .containsEntry("pg_version", "15.18");
        var rs = client.replicationStatus("itpg", T);
        assertThat(rs.serverLsn()).isEqualTo("0/5000090");
        assertThat(rs.clients()).singleElement().satisfies(c -> {
            assertThat(c.applicationName()).isEqualTo("barman_receive_wal");
            assertThat(c.slot()).isEqualTo("barman");
            assertThat(c.state()).isEqualTo("streaming");
        });
    }

    @Test
    void listServers() {
        fake.answer("list-servers", "list-servers.json", 0);
        assertThat(client.listServers(T)).containsExactly("itbad", "itpg");
    }

    @Test
    void switchWalArguments() {
        fake.answer("switch-wal", "switch-wal.json", 0);
        BarmanClient.Call c = client.switchWal("itpg", false, Duration.ofSeconds(30), T);
        assertThat(c.ok()).isTrue();
        assertThat(fake.calls()).containsExactly("switch-wal --archive --archive-timeout 30 -- itpg");
        client.switchWal("itpg", true, Duration.ofMinutes(1), T);
        assertThat(fake.calls()).last().isEqualTo("switch-wal --force --archive --archive-timeout 60 -- itpg");
    }

    @Test
    void switchWalErrorIsReported() {
        fake.answerText("switch-wal", "{\"_ERROR\": [\"Barman switch-wal requires superuser rights\"]}", 1);
        BarmanClient.Call c = client.switchWal("itpg", true, Duration.ofSeconds(5), T);
        assertThat(c.ok()).isFalse();
        assertThat(c.error()).isEqualTo("Barman switch-wal requires superuser rights");
    }

    @Test
    void nonJsonOutputIsAFailureNotACrash() {
        fake.answerText("check", "Traceback (most recent call last): boom", 2);
        assertThatThrownBy(() -> client.check("itpg", T)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("not JSON").extracting(e -> ((BarmandException) e).category())
                .isEqualTo(Category.JOB_FAILED);
    }

    @Test
    void aHangingBarmanTimesOut() {
        fake.answer("check", "check-ok.json", 0).sleep("check", 30);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.check("itpg", Duration.ofMillis(500))).isInstanceOf(BarmandException.class)
                .hasMessageContaining("timeout").extracting(e -> ((BarmandException) e).category()).isEqualTo(Category.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void missingBinaryIsUnavailable() {
        BarmanClient c = new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)),
                tmp.resolve("nope"), Optional.empty());
        assertThatThrownBy(() -> c.listServers(T)).isInstanceOf(BarmandException.class)
                .extracting(e -> ((BarmandException) e).category()).isEqualTo(Category.UNAVAILABLE);
    }

    @Test
    void positionalArgumentsFollowADoubleDashSoThatAServerNamedLikeAnOptionStaysAName() {
        // barman 3.4's argparse takes `--` before the positionals of every subcommand used here (tried for real:
        // `barman -c CONF check -- -h` says "Unknown server '-h'")
        fake.answer("check", "check-ok.json", 0).answer("status", "status.json", 0)
                .answer("replication-status", "replication-status.json", 0).answer("backup", "backup.json", 0)
                .answerText("list-backups", "{\"itpg\": []}", 0).answerText("keep", "{}", 0)
                .answerText("verify-backup", "{}", 0).answerText("switch-wal", "{}", 0).answerText("recover", "", 0);
        client.check("itpg", T);
        client.status("itpg", T);
        client.replicationStatus("itpg", T);
        client.backup("itpg", T);
        client.listBackups("itpg", T);
        client.keep("itpg", "20261123T235922", "standalone", T);
        client.releaseKeep("itpg", "20261123T235922", T);
        client.verifyBackup("itpg", "20261123T235922", T);
        client.switchWal("itpg", false, Duration.ofSeconds(30), T);
        client.recover("itpg", "20261123T235922", Path.of("/tmp/dest"), java.util.List.of("--get-wal"), T);
        assertThat(fake.calls()).containsExactly("check -- itpg", "status -- itpg", "replication-status -- itpg",
                "backup --wait -- itpg", "list-backups -- itpg", "keep --target standalone -- itpg 20261123T235922",
                "keep --release -- itpg 20261123T235922", "verify-backup -- itpg 20261123T235922",
                "switch-wal --archive --archive-timeout 30 -- itpg", "recover --get-wal -- itpg 20261123T235922 /tmp/dest");
    }

    @Test
    void aBackupIdFromBarmanThatIsNoIdIsRefusedBeforeItReachesAPathOrAnArgument() {
        fake.answerText("list-backups", "{\"itpg\": [{\"backup_id\": \"20261123T235922/../../../state\", \"status\": \"DONE\"}]}", 0)
                .answerText("backup", "{\"backup_id\": \"../x\", \"status\": \"DONE\"}", 0);
        assertThatThrownBy(() -> client.listBackups("itpg", T)).isInstanceOf(BarmandException.class)
                .hasMessage("barman list-backups itpg: '20261123T235922/../../../state' is not a Barman backup id (YYYYMMDDTHHMMSS): refused")
                .extracting(e -> ((BarmandException) e).category()).isEqualTo(Category.JOB_FAILED);
        assertThatThrownBy(() -> client.newestDone("itpg", T)).hasMessageContaining("is not a Barman backup id");
        assertThatThrownBy(() -> client.backup("itpg", T)).hasMessageContaining("barman backup: '../x' is not a Barman backup id");
        // nor does one from elsewhere (the bucket, a journal) reach barman
        int before = fake.calls().size();
        assertThatThrownBy(() -> client.keepStatus("itpg", "../20261123T235922", T)).hasMessageContaining("is not a Barman backup id");
        assertThatThrownBy(() -> client.delete("itpg", "a/b", T)).hasMessageContaining("is not a Barman backup id");
        assertThatThrownBy(() -> client.recover("itpg", "-h", Path.of("/tmp/d"), java.util.List.of(), T))
                .hasMessageContaining("is not a Barman backup id");
        assertThat(fake.calls()).hasSize(before);
    }
}
