package io.barmand.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.RestoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoverySettingsTest {
    @TempDir
    Path tmp;

    @Test
    void targetsAsPostgresqlTakesThem() {
        RestoreSettings.Target time = RestoreSettings.parseTarget("time:2026-11-24T02:00:00+01:00").orElseThrow();
        assertThat(RecoverySettings.lines("c", "cp \"w/%f\" \"%p\"", List.of(), time, time.timeAt(Instant.EPOCH)))
                .containsExactly("# c", "restore_command = 'cp \"w/%f\" \"%p\"'",
                        "recovery_target_time = '2026-11-24 01:00:00.000000+00:00'", "recovery_target_action = 'promote'");
        RestoreSettings.Target lsn = RestoreSettings.parseTarget("lsn:0/3000060").orElseThrow();
        assertThat(RecoverySettings.lines("c", "x", List.of("recovery_end_command = 'y'"), lsn, Optional.empty()))
                .containsExactly("# c", "restore_command = 'x'", "recovery_end_command = 'y'", "recovery_target_lsn = '0/3000060'",
                        "recovery_target_action = 'promote'");
        assertThat(RecoverySettings.lines("c", "x", List.of(), RestoreSettings.Target.END, Optional.empty()))
                .containsExactly("# c", "restore_command = 'x'");
    }

    @Test
    void theWalRestoreCommandQuotesForTheShellAndForPostgresql() {
        String c = DisasterRestore.walRestoreCommand("/opt/bar mand/barmand", Path.of("/etc/it's $HOME/barmand.conf"), "pg1");
        assertThat(c).isEqualTo("\"/opt/bar mand/barmand\" wal-restore --config \"/etc/it's \\$HOME/barmand.conf\" --fatal-errors"
                + " \"pg1\" %f \"%p\"");
        assertThat(RecoverySettings.literal(c)).startsWith("'\"/opt/bar mand/barmand\"").contains("it''s");
    }

    @Test
    void configFilesAreWrittenOnlyWhereTheBackupHasNone() throws Exception {
        Files.writeString(tmp.resolve("pg_hba.conf"), "mine\n");
        assertThat(RecoverySettings.missingConfigFiles(tmp)).containsExactly("postgresql.conf", "pg_ident.conf");
        assertThat(Files.readString(tmp.resolve("pg_hba.conf"))).isEqualTo("mine\n");
        RecoverySettings.write(tmp, List.of("restore_command = 'x'"));
        RecoverySettings.write(tmp, List.of("restore_command = 'y'"));
        assertThat(Files.readAllLines(tmp.resolve("postgresql.auto.conf"))).containsExactly("restore_command = 'x'",
                "restore_command = 'y'");
        assertThat(tmp.resolve("recovery.signal")).exists();
    }
}
