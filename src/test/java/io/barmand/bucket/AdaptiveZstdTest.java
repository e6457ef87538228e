package io.barmand.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.barmand.config.OffsiteSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adaptive compression: a stream that does not shrink is stored in raw zstd blocks from the first window that gained
 * under 1.1x, one that shrinks is compressed throughout, and both are read back by what restores read (zstd-jni, as
 * Codecs.decompress) and by the zstd command (docs/disaster-day.md).
 */
class AdaptiveZstdTest {
    static final int WINDOW = 1 << 20;

    @TempDir
    Path dir;

    record Written(byte[] stored, long storedFrom) {
    }

    static Written write(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AdaptiveZstd z = new AdaptiveZstd(out, 1, WINDOW);
        for (int at = 0; at < plain.length; at += 100_003) {
            z.write(plain, at, Math.min(100_003, plain.length - at));
        }
        z.close();
        return new Written(out.toByteArray(), z.storedFrom());
    }

    static byte[] read(byte[] stored) throws IOException {
        try (InputStream in = Codecs.decompress(new ByteArrayInputStream(stored), OffsiteSettings.Codec.ZSTD)) {
            return in.readAllBytes();
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] compressible(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("pgbench_accounts row " + (i / 97)).charAt(i % 20);
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    @Test
    void randomDataIsStoredInRawBlocksAfterTheFirstWindowAndReadsBack() throws Exception {
        byte[] plain = random(5 * WINDOW + 12345, 1);
        Written w = write(plain);
        assertThat(w.storedFrom()).isEqualTo(WINDOW);
        // stored: about the plain size (zstd's own raw blocks in the first window, 3 bytes per 128 KiB after it)
        assertThat(w.stored().length).isBetween(plain.length, plain.length + 1000);
        assertThat(read(w.stored())).isEqualTo(plain);
        assertThat(zstdCommand(w.stored())).isEqualTo(plain);
    }

    @Test
    void dataThatShrinksIsCompressedThroughout() throws Exception {
        byte[] plain = compressible(5 * WINDOW + 7);
        Written w = write(plain);
        assertThat(w.storedFrom()).isEqualTo(-1);
        assertThat(w.stored().length).isLessThan(plain.length / 10);
        assertThat(read(w.stored())).isEqualTo(plain);
    }

    /** A catalogue that shrinks, then a table of random bytes: compression stops at the first window that did not gain. */
    @Test
    void compressionStopsAtTheFirstWindowThatDidNotShrinkAndAnEndOnABlockBoundaryReads() throws Exception {
        // 2 windows that shrink, then random bytes to an end on a raw block boundary (an empty last block)
        byte[] plain = concat(compressible(2 * WINDOW), random(2 * WINDOW + 4 * AdaptiveZstd.BLOCK, 2));
        Written w = write(plain);
        assertThat(w.storedFrom()).isEqualTo(3L * WINDOW);
        assertThat(read(w.stored())).isEqualTo(plain);
        assertThat(zstdCommand(w.stored())).isEqualTo(plain);
        // a window that is mostly random but gains >= 1.1x goes on compressing
        byte[] mixed = concat(compressible(WINDOW / 4), random(3 * WINDOW / 4, 3));
        assertThat(write(concat(mixed, mixed)).storedFrom()).isEqualTo(-1);
    }

    @Test
    void theManifestRecordsWhereCompressionStoppedAndOlderManifestsReadAsCompressedThroughout() {
        Manifest m = new Manifest(1, "pg1", "20261208T010203", "0.2.0", "2026-12-08T01:02:03Z", "zstd", 1,
                null, null, 1, 16L << 20, "status=DONE\n", List.of(), List.of(), null, null, null, 67_108_864L);
        assertThat(new String(m.toJson())).contains("\"uncompressedFrom\" : 67108864");
        assertThat(Manifest.parse(m.toJson())).isEqualTo(m);
        Manifest older = new Manifest(1, "pg1", "20261208T010203", "0.1.0", "2026-12-08T01:02:03Z", "zstd", 1,
                null, null, 1, 16L << 20, "status=DONE\n", List.of(), List.of());
        assertThat(new String(older.toJson())).doesNotContain("uncompressedFrom");
        assertThat(Manifest.parse(older.toJson()).uncompressedFrom()).isNull();
    }

    private byte[] zstdCommand(byte[] stored) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zstd")), "no zstd command");
        Path in = dir.resolve("d.zst");
        Path out = dir.resolve("d");
        Files.write(in, stored);
        Files.deleteIfExists(out);
        Process p = new ProcessBuilder("zstd", "-q", "-d", in.toString(), "-o", out.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(said).isZero();
        return Files.readAllBytes(out);
    }
}
