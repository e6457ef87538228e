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

    @Test
    void encryptionIsOffByDefaultAndReadWithItsRecipients() throws Exception {
        assertThat(Settings.load(conf("enabled = true, bucket = b1"), null).offsite().get("pg1").encryption().encrypts()).isFalse();
        AgeKeys.KeyPairText a = AgeKeys.generate();
        AgeKeys.KeyPairText b = AgeKeys.generate();
        Path id = dir.resolve("key.txt");
        Files.writeString(id, "# created: now\n# public key: " + a.recipient() + "\n" + a.identity() + "\n");
        Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rw-------"));
        OffsiteSettings.Encryption e = Settings.load(conf("enabled = true, bucket = b1, encryption { recipients = [\""
                + a.recipient() + "\", \"" + b.recipient() + "\"], identity-file = \"" + id + "\" }"), null)
                .offsite().get("pg1").encryption();
        assertThat(e.encrypts()).isTrue();
        assertThat(e.recipients()).containsExactly(a.recipient(), b.recipient());
        assertThat(e.identities()).containsExactly(a.identity());
        assertThat(e.warning()).isEmpty();
    }

    @Test
    void encryptionProblemsNameTheirKey() throws Exception {
        AgeKeys.KeyPairText a = AgeKeys.generate();
        // one character changed: the bech32 checksum no longer matches
        String bad = a.recipient().substring(0, a.recipient().length() - 1)
                + (a.recipient().endsWith("q") ? "p" : "q");
        Path open = dir.resolve("open.txt");
        Files.writeString(open, a.identity() + "\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> Settings.load(conf("enabled = true, bucket = b1, encryption { recipients = [\""
                + a.recipient() + "\", \"" + bad + "\", \"ssh-ed25519 AAAA\"], identity-file = \"" + open + "\" }"), null))
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.recipients[1]: \"" + bad + "\" is not a valid age recipient: bad bech32")
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.recipients[2]: \"ssh-ed25519 AAAA\" is not an age X25519 recipient")
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.identity-file: " + open + " is readable by everyone");
        Path junk = dir.resolve("junk.txt");
        Files.writeString(junk, "# a comment\nAGE-SECRET-KEY-1NOTAKEY\n");
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> Settings.load(conf("enabled = true, bucket = b1, encryption.identity-file = \"" + junk + "\""), null))
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.identity-file: " + junk + " line 2: not a valid age identity")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("NOTAKEY"));
        assertThatThrownBy(() -> Settings.load(conf("enabled = true, bucket = b1, encryption.identity-file = \""
                + dir.resolve("absent") + "\""), null))
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.identity-file: " + dir.resolve("absent") + " does not exist");
        assertThatThrownBy(() -> Settings.load(conf("enabled = true, bucket = b1, encryption.recipients = \"age1x\""), null))
                .hasMessageContaining("barmand.servers.pg1.offsite.encryption.recipients = \"age1x\": must be a list");
    }

    @Test
    void anIdentityOfNoneOfTheRecipientsIsAWarningNotAnError() throws Exception {
        AgeKeys.KeyPairText a = AgeKeys.generate();
        AgeKeys.KeyPairText other = AgeKeys.generate();
        Path id = dir.resolve("old.txt");
        Files.writeString(id, other.identity() + "\n");
        Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rw-------"));
        OffsiteSettings.Encryption e = Settings.load(conf("enabled = true, bucket = b1, encryption { recipients = [\""
                + a.recipient() + "\"], identity-file = \"" + id + "\" }"), null).offsite().get("pg1").encryption();
        assertThat(e.warning()).get().asString()
                .contains("barmand.servers.pg1.offsite.encryption.identity-file: " + id + " holds no identity of the recipients")
                .contains(other.recipient()).doesNotContain(other.identity());
    }
}
