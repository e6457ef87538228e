package io.barmand.barman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.error.BarmandException;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Barman's catalogue of a server from real Barman 3.4 output: list-backups, show-servers and show-backup of the
 * restore fixture's server itrestore (three DONE backups), and its WALS/xlog.db, captured on 2026-12-01.
 */
class BarmanCatalogueTest {
    static final Duration T = Duration.ofSeconds(10);
    @TempDir
    Path tmp;
    FakeBarman fake;
    BarmanClient client;
    Path wals;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeBarman(tmp.resolve("bin"));
        client = new BarmanClient(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1)), fake.script(), Optional.empty());
        wals = Files.createDirectories(tmp.resolve("wals"));
        try (var in = getClass().getResourceAsStream("/barman-json/xlog-itrestore.db")) {
            Files.write(wals.resolve("xlog.db"), in.readAllBytes());
        }
        fake.answer("list-backups", "list-backups-itrestore.json", 0)
                .answerText("show-servers", showServers(wals), 0)
                .answer("show-backup", "show-backup-itrestore-oldest.json", 0);
    }

    /** The captured show-servers, its wals_directory moved to {@code dir}. */
    static String showServers(Path dir) {
        return FakeBarman.sample("show-servers-itrestore.json")
                .replace("\"/var/tmp/barmandit-restore/home/itrestore/wals\"", "\"" + dir + "\"");
    }

    @Test
    void backupsNewestOldestRecoveryWindowAndWalRange() {
        BarmanCatalogue c = client.catalogue("itrestore", T);
        assertThat(c.backups()).extracting(BackupSummary::backupId)
                .containsExactly("20261201T144836", "20261201T144834", "20261201T144833");
        assertThat(c.newestDone().orElseThrow().backupId()).isEqualTo("20261201T144836");
        assertThat(BarmanCatalogue.ended(c.newestDone().orElseThrow())).contains(Instant.ofEpochSecond(1796136516));
        assertThat(c.oldestDone().orElseThrow().backupId()).isEqualTo("20261201T144833");
        // show-backup's begin_time "2026-12-01 14:48:33.666278+00:00"
        assertThat(c.oldestDoneBegin()).contains(Instant.parse("2026-12-01T14:48:33Z"));
        assertThat(c.retentionPolicy()).isEmpty(); // "retention_policy": null
        BarmanCatalogue.WalRange w = c.wal().orElseThrow();
        assertThat(w.first()).isEqualTo("00000001000000030000005F");
        assertThat(w.last()).isEqualTo("000000010000000300000063");
        assertThat(w.segments()).isEqualTo(5); // six lines, 0061 listed twice
        assertThat(w.lastArchived()).contains(Instant.ofEpochMilli(1796136516370L));
        assertThat(fake.calls()).containsExactly("list-backups -- itrestore", "show-servers -- itrestore",
                "show-backup -- itrestore 20261201T144833");
    }

    @Test
    void barmansRetentionPolicyAndBackupsThatAreNotDone() {
        // the captured output with a policy set and the oldest backup FAILED (as Barman lists a failed backup)
        fake.answerText("show-servers", showServers(wals).replace("\"retention_policy\": null",
                "\"retention_policy\": \"RECOVERY WINDOW OF 7 DAYS\""), 0);
        fake.answerText("list-backups", FakeBarman.sample("list-backups-itrestore.json")
                .replaceFirst("(\"backup_id\": \"20261201T144833\".*?\"status\": )\"DONE\"", "$1\"FAILED\""), 0);
        BarmanCatalogue c = client.catalogue("itrestore", T);
        assertThat(c.retentionPolicy()).contains("RECOVERY WINDOW OF 7 DAYS");
        assertThat(c.backups()).hasSize(3);
        assertThat(c.done()).extracting(BackupSummary::backupId).containsExactly("20261201T144836", "20261201T144834");
        assertThat(fake.calls()).contains("show-backup -- itrestore 20261201T144834");
    }

    @Test
    void noBackupNoShowBackupAndAnUnreadableArchiveIsNoRange() throws Exception {
        fake.answerText("list-backups", "{\"itrestore\": []}", 0)
                .answerText("show-servers", showServers(tmp.resolve("nowhere")), 0);
        BarmanCatalogue c = client.catalogue("itrestore", T);
        assertThat(c.backups()).isEmpty();
        assertThat(c.newestDone()).isEmpty();
        assertThat(c.oldestDoneBegin()).isEmpty();
        assertThat(c.wal()).isEmpty();
        assertThat(fake.calls()).noneMatch(l -> l.startsWith("show-backup"));
    }

    @Test
    void aFailingBarmanIsAnException() {
        fake.answerText("list-backups", "{\"_ERROR\": [\"Unknown server 'itrestore'\"]}", 1);
        assertThatThrownBy(() -> client.catalogue("itrestore", T)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("barman list-backups itrestore: Unknown server 'itrestore'");
    }
}
