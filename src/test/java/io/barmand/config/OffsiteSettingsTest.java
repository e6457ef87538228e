package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsiteSettingsTest {
    @TempDir
    Path dir;

    @Test
    void partSizeMustCarryTheLargestBackupInTenThousandParts() {
        long mib = 1024 * 1024;
        assertThat(OffsiteSettings.partSizeProblem(64 * mib, 600L * 1024 * mib)).isEmpty();
        assertThat(OffsiteSettings.partSizeProblem(64 * mib, 625L * 1024 * mib)).isEmpty(); // exactly 10,000 parts
        assertThat(OffsiteSettings.partSizeProblem(8 * mib, 100L * 1024 * mib)).get().asString()
                .contains("8MiB parts carry at most 78.1GiB in 10,000 parts").contains("set part-size to at least 11MiB");
        assertThat(OffsiteSettings.partSizeProblem(4 * mib, mib)).get().asString().contains("at least 5MiB");
        assertThat(OffsiteSettings.partSizeProblem(6L * 1024 * mib, mib)).get().asString().contains("at most 5GiB");
    }

    Path conf(String offsite) throws Exception {
        Path f = dir.resolve("barmand.conf");
        Files.writeString(f, """
                barmand {
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { pg1 { offsite { %s } } }
                }
                """.formatted(dir.resolve("state"), dir.resolve("ctl.sock"), offsite));
        return f;
    }

    @Test
    void aGoodBlockIsReadWithItsDefaults() throws Exception {
        Path creds = dir.resolve("creds");
        Files.writeString(creds, "[default]\naws_access_key_id = a\naws_secret_access_key = b\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r-----"));
        Settings s = Settings.load(conf("enabled = true, bucket = b1, endpoint = \"http://127.0.0.1:9000\", credentials-file = \""
                + creds + "\", schedule = \"0 * * * * ?\""), null);
        Map<String, OffsiteSettings> m = s.offsite();
        OffsiteSettings o = m.get("pg1");
        assertThat(o.enabled()).isTrue();
        assertThat(o.partSize()).isEqualTo(64L << 20);
        assertThat(o.parallelism()).isEqualTo(4);
        assertThat(o.codec()).isEqualTo(OffsiteSettings.Codec.ZSTD);
        assertThat(o.level()).isEqualTo(1);
        assertThat(o.checksumMode()).isEqualTo(OffsiteSettings.ChecksumMode.WHEN_REQUIRED);
        assertThat(o.spoolDir()).isEqualTo(dir.resolve("state/offsite"));
        assertThat(o.walEnabled()).isTrue();
    }

    @Test
    void everyProblemNamesItsKey() throws Exception {
        Path creds = dir.resolve("creds");
        Files.writeString(creds, "[default]\n");
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r--r--"));
        Path f = conf("enabled = true, endpoint = \"ftp://x\", credentials-file = \"" + creds + "\", "
                + "checksum-mode = sometimes, compression { codec = zstd, level = 25 }, part-size = 8MiB, "
                + "max-backup-size = 1TiB, parallelism = 0, sse = rot13");
        assertThatThrownBy(() -> Settings.load(f, null)).isInstanceOf(BarmandException.class)
                .satisfies(e -> assertThat(((BarmandException) e).category()).isEqualTo(Category.CONFIG))
                .hasMessageContaining("barmand.servers.pg1.offsite.bucket: must be set when offsite.enabled = true")
                .hasMessageContaining("barmand.servers.pg1.offsite.endpoint: must be an http:// or https:// URL")
                .hasMessageContaining("barmand.servers.pg1.offsite.credentials-file: " + creds + " is readable by everyone")
                .hasMessageContaining("barmand.servers.pg1.offsite.checksum-mode: must be when-required or when-supported")
                .hasMessageContaining("barmand.servers.pg1.offsite.compression.level: zstd takes 1 to 19, is 25")
                .hasMessageContaining("barmand.servers.pg1.offsite.part-size: 8MiB parts carry at most")
                .hasMessageContaining("barmand.servers.pg1.offsite.parallelism: must be 1 to 64")
                .hasMessageContaining("barmand.servers.pg1.offsite.sse: must be none, AES256 or aws:kms");
    }

    @Test
    void aScheduleWithoutEnabledIsRefused() throws Exception {
        Path f = conf("schedule = \"0 * * * * ?\"");
        assertThatThrownBy(() -> Settings.load(f, null)).hasMessageContaining(
                "barmand.servers.pg1.offsite.schedule: is set but offsite.enabled = false");
    }

    @Test
    void anUnknownKeyInTheBlockIsRefusedBySettings() throws Exception {
        assertThatThrownBy(() -> Settings.load(conf("enabled = true, buckets = x"), null))
                .hasMessageContaining("barmand.servers.pg1.offsite.buckets: unknown key");
    }
}
