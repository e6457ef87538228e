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
        assertThat(fake.calls()).containsExactly("backup --wait itpg");
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
    void recoverIsCalledWithItsOptionsOnConsoleOutput() {
        fake.answerText("recover", "Starting local restore for server itpg", 0);
        var r = client.recover("itpg", "20261123T235922", Path.of("/tmp/dest"), java.util.List.of("--target-lsn", "0/3000060"), T);
        assertThat(r.ok()).isTrue();
        assertThat(fake.calls()).contains("recover --target-lsn 0/3000060 itpg 20261123T235922 /tmp/dest");
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
        assertThat(fake.calls()).containsExactly("switch-wal --archive --archive-timeout 30 itpg");
        client.switchWal("itpg", true, Duration.ofMinutes(1), T);
        assertThat(fake.calls()).last().isEqualTo("switch-wal --force --archive --archive-timeout 60 itpg");
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
}
