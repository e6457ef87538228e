package io.barmand.offsite;

import io.barmand.bucket.TarWriter;
import io.barmand.bucket.TarReader;
import io.barmand.bucket.Manifest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar barmand writes: read back by its own reader (verify --download) and by GNU tar (restore). */
class TarRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void filesLongNamesAndEmptyFoldersSurvive() throws Exception {
        FakeBarmanHome h = new FakeBarmanHome(dir.resolve("home"));
        Path b = h.backup("20261124T010203", 2, "000000010000000000000002", "000000010000000000000002", 9);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.addTree(b);
        w.finish();
        Map<String, String> read = new HashMap<>();
        TarReader.read(new ByteArrayInputStream(out.toByteArray()), (name, size, sha) -> read.put(name, size + ":" + sha));
        assertThat(w.files()).hasSize(read.size());
        for (Manifest.FileEntry f : w.files()) {
            assertThat(read.get(f.path())).isEqualTo(f.size() + ":" + f.sha256());
        }
        assertThat(w.files()).anySatisfy(f -> assertThat(f.path().length()).isGreaterThan(150));
        Path tar = dir.resolve("b.tar");
        Files.write(tar, out.toByteArray());
        Path x = Files.createDirectories(dir.resolve("x"));
        Process p = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", x.toString()).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        for (Manifest.FileEntry f : w.files()) {
            assertThat(Files.mismatch(b.resolve(f.path()), x.resolve(f.path()))).as(f.path()).isEqualTo(-1L);
        }
        assertThat(x.resolve("data/pg_replslot")).isEmptyDirectory();
    }

    /** Damage in a header (seen in the lab: a flipped stretch of a zstd copy) is an IOException, never a runtime one. */
    @Test
    void aDamagedHeaderIsAnIoException() throws Exception {
        FakeBarmanHome h = new FakeBarmanHome(dir.resolve("home"));
        Path b = h.backup("20261124T010203", 2, "000000010000000000000002", "000000010000000000000002", 9);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.addTree(b);
        w.finish();
        byte[] checksumField = out.toByteArray();
        checksumField[150] = (byte) 0xff;
        assertThatThrownBy(() -> TarReader.read(new ByteArrayInputStream(checksumField), (n, s, sha) -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("bad tar header");
        byte[] sizeField = out.toByteArray();
        sizeField[130] = '9';
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (sizeField[i] & 0xff);
        }
        byte[] digits = String.format("%06o", sum).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, sizeField, 148, 6);
        sizeField[154] = 0;
        sizeField[155] = ' ';
        assertThatThrownBy(() -> TarReader.read(new ByteArrayInputStream(sizeField), (n, s, sha) -> { }))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("not an octal number");
    }

    @Test
    void manifestRoundTrips() {
        Manifest m = new Manifest(1, "pg1", "20261124T010203", "0.1.0", "2026-11-24T01:02:03Z", "zstd", 1,
                "000000010000000000000002", "000000010000000000000003", 1, 16L << 20, "status=DONE\n",
                java.util.List.of(new Manifest.FileEntry("data/PG_VERSION", 3, "ab")),
                java.util.List.of(new Manifest.ObjectEntry("k", 10, "cd", 2)));
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
        assertThat(m.originalBytes()).isEqualTo(3);
        assertThat(m.storedBytes()).isEqualTo(10);
    }
}
