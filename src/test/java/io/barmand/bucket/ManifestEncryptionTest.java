package io.barmand.bucket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plain copies (older manifests) and encrypted ones side by side in one bucket: the manifest tells which. */
class ManifestEncryptionTest {
    /** A manifest as barmand wrote it before offsite.encryption (no "encryption" field). */
    static final String OLD = """
            {"format":1,"server":"pg1","backupId":"20261124T010203","barmandVersion":"0.1.0","created":"2026-11-24T01:02:03Z",
             "codec":"zstd","level":1,"beginWal":"000000010000000000000002","endWal":"000000010000000000000002",
             "timeline":1,"segmentSize":16777216,"backupInfo":"status=DONE\\n",
             "files":[{"path":"data/PG_VERSION","size":3,"sha256":"ab"}],
             "objects":[{"key":"p/pg1/base/20261124T010203/data.tar.zst","size":10,"sha256":"cd","parts":1}]}
            """;

    @Test
    void anOlderManifestReadsAsPlainAndIsWrittenBackWithoutTheField() {
        Manifest m = Manifest.parse(OLD.getBytes(StandardCharsets.UTF_8));
        assertThat(m.encrypted()).isFalse();
        assertThat(m.encryption()).isNull();
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).doesNotContain("encryption");
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
    }

    @Test
    void anEncryptedManifestKeepsFormatRecipientsAndBothHashes() {
        Manifest plain = Manifest.parse(OLD.getBytes(StandardCharsets.UTF_8));
        Manifest m = new Manifest(plain.format(), plain.server(), "20261201T010203", "0.2.0", plain.created(),
                plain.codec(), plain.level(), plain.beginWal(), plain.endWal(), plain.timeline(), plain.segmentSize(),
                plain.backupInfo(), plain.files(),
                List.of(new Manifest.ObjectEntry("p/pg1/base/20261201T010203/data.tar.zst.age", 11, "ef", 1)),
                new Manifest.Encryption(Age.FORMAT, List.of("age1ops", "age1escrow")));
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"encryption\"").contains("\"format\" : \"age\"").contains("age1escrow");
        Manifest back = Manifest.parse(m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(back.encrypted()).isTrue();
        // the plain files' SHA-256 (checked after decrypting) and the stored object's (checked without a key)
        assertThat(back.files().get(0).sha256()).isEqualTo("ab");
        assertThat(back.objects().get(0).sha256()).isEqualTo("ef");
        // a field a later barmand adds is ignored, not refused
        assertThat(Manifest.parse(json.replaceFirst("\\{", "{\"later\":1,").getBytes(StandardCharsets.UTF_8))).isEqualTo(m);
    }
}
