package io.barmand.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.barmand.config.AgeKeys;
import io.barmand.config.OffsiteSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The age streams: what is written is read back, by each recipient's identity only, and damage is detected. */
class AgeTest {
    @TempDir
    Path dir;

    static final AgeKeys.KeyPairText OPS = AgeKeys.generate();
    static final AgeKeys.KeyPairText ESCROW = AgeKeys.generate();
    static final AgeKeys.KeyPairText STRANGER = AgeKeys.generate();

    /** 300 KiB, several 64 KiB chunks and a partial last one; half random, half compressible. */
    static byte[] payload() {
        byte[] b = new byte[300 * 1024 + 17];
        new Random(7).nextBytes(b);
        for (int i = b.length / 2; i < b.length; i++) {
            b[i] = (byte) (i % 13);
        }
        return b;
    }

    /** compressed, then encrypted, as BackupCopier writes the data object */
    static byte[] seal(byte[] plain, List<String> recipients) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream e = Age.encrypt(out, recipients);
             OutputStream z = Codecs.compress(e, OffsiteSettings.Codec.ZSTD, 1)) {
            z.write(plain);
        }
        return out.toByteArray();
    }

    static byte[] open(byte[] sealed, List<String> identities) throws IOException {
        try (InputStream in = Codecs.decompress(Age.decrypt(new ByteArrayInputStream(sealed), identities, "obj"),
                OffsiteSettings.Codec.ZSTD)) {
            return in.readAllBytes();
        }
    }

    @Test
    void whatIsEncryptedToTwoRecipientsIsReadBackByEachAndLooksLikeNeitherZstdNorTar() throws Exception {
        byte[] plain = payload();
        byte[] sealed = seal(plain, List.of(OPS.recipient(), ESCROW.recipient()));
        assertThat(new String(sealed, 0, Age.MAGIC.length(), StandardCharsets.US_ASCII)).isEqualTo(Age.MAGIC);
        assertThat(Codecs.alreadyCompressed(sealed, 8)).isFalse();
        assertThat(open(sealed, List.of(OPS.identity()))).isEqualTo(plain);
        assertThat(open(sealed, List.of(ESCROW.identity()))).isEqualTo(plain);
        // the stranger's identity among others: the one that fits is used
        assertThat(open(sealed, List.of(STRANGER.identity(), ESCROW.identity()))).isEqualTo(plain);
    }

    @Test
    void anEmptyStreamRoundTrips() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Age.encrypt(out, List.of(OPS.recipient())).close();
        assertThat(Age.decrypt(new ByteArrayInputStream(out.toByteArray()), List.of(OPS.identity()), "empty").readAllBytes()).isEmpty();
    }

    @Test
    void aWrongIdentityIsRefusedWithAClearMessage() throws Exception {
        byte[] sealed = seal(payload(), List.of(OPS.recipient()));
        assertThatThrownBy(() -> open(sealed, List.of(STRANGER.identity())))
                .isInstanceOf(BarmandException.class)
                .satisfies(e -> assertThat(((BarmandException) e).category()).isEqualTo(Category.CONFIG))
                .hasMessageContaining("obj: none of the 1 identity(ies) given opens it")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(STRANGER.identity()));
        assertThatThrownBy(() -> open(sealed, List.of()))
                .isInstanceOf(BarmandException.class)
                .hasMessageContaining("obj is encrypted (age): set offsite.encryption.identity-file");
    }

    @Test
    void oneFlippedByteAnywhereInThePayloadIsDetected() throws Exception {
        byte[] plain = payload();
        byte[] sealed = seal(plain, List.of(OPS.recipient()));
        int header = indexOf(sealed, "\n---") + 48; // the header ends with its MAC line
        for (int at : new int[] {header + 20, sealed.length / 2, sealed.length - 5}) {
            byte[] bad = sealed.clone();
            bad[at] ^= 0x01;
            assertThatThrownBy(() -> open(bad, List.of(OPS.identity()))).as("byte %d of %d", at, sealed.length)
                    .isInstanceOf(IOException.class);
        }
        // in the header (a recipient stanza's wrapped key): no identity opens it any more
        byte[] bad = sealed.clone();
        bad[indexOf(sealed, "-> X25519 ") + 20] ^= 0x01;
        assertThatThrownBy(() -> open(bad, List.of(OPS.identity()))).isInstanceOf(BarmandException.class);
        // cut short at a chunk boundary: refused, not read as a shorter file
        byte[] cut = java.util.Arrays.copyOf(sealed, sealed.length - 100);
        assertThatThrownBy(() -> open(cut, List.of(OPS.identity()))).isInstanceOf(IOException.class);
    }

    @Test
    void identityFilesAreReadAsAgeKeygenWritesThem() throws Exception {
        String file = "# created: 2026-12-07T21:30:00Z\n# public key: " + OPS.recipient() + "\n" + OPS.identity() + "\n\n";
        assertThat(AgeKeys.parseIdentities("k", List.of(file.split("\n")))).containsExactly(OPS.identity());
        assertThat(AgeKeys.recipientOf(OPS.identity())).isEqualTo(OPS.recipient());
        assertThatThrownBy(() -> AgeKeys.parseIdentities("k", List.of("# only a comment")))
                .hasMessageContaining("k: no age identity in it");
        assertThatThrownBy(() -> AgeKeys.parseIdentities("k", List.of("-----BEGIN OPENSSH PRIVATE KEY-----")))
                .hasMessageContaining("k line 1: not an age X25519 identity").hasMessageNotContaining("OPENSSH");
    }

    /** Debian's age reads what barmand writes, and barmand reads what age writes (docs/disaster-day.md relies on it). */
    @Test
    void debiansAgeAgrees() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/age")), "Debian's age is not installed (lab/host-deps.sh build)");
        byte[] plain = payload();
        Path key = dir.resolve("key.txt");
        Files.writeString(key, "# public key: " + ESCROW.recipient() + "\n" + ESCROW.identity() + "\n");
        Path sealed = dir.resolve("data.tar.zst.age");
        Files.write(sealed, seal(plain, List.of(OPS.recipient(), ESCROW.recipient())));
        Path zst = dir.resolve("data.tar.zst");
        assertThat(run("age", "-d", "-i", key.toString(), "-o", zst.toString(), sealed.toString())).isZero();
        assertThat(run("zstd", "-q", "-d", zst.toString(), "-o", dir.resolve("data.tar").toString())).isZero();
        assertThat(Files.readAllBytes(dir.resolve("data.tar"))).isEqualTo(plain);

        Path raw = dir.resolve("plain");
        Files.write(raw, plain);
        Path byAge = dir.resolve("by-age.age");
        assertThat(run("age", "-r", OPS.recipient(), "-o", byAge.toString(), raw.toString())).isZero();
        assertThat(Age.decrypt(Files.newInputStream(byAge), List.of(OPS.identity()), "by-age").readAllBytes()).isEqualTo(plain);
    }

    /**
     * The payload sealed on several threads (AgeSealer) is the age STREAM byte for byte as the spec has it: plaintexts
     * of several MiB crossing many chunks and batches, an exact multiple of 64 KiB (its last chunk is full and marked
     * last: no empty chunk after it, so the object is the header + the plaintext + 16 bytes per chunk), one byte past
     * it, written in odd pieces; Jagged and Debian's age both read each back.
     */
    @Test
    void aPayloadOfManyChunksSealedInParallelIsReadByJaggedAndByAge() throws Exception {
        boolean age = Files.isExecutable(Path.of("/usr/bin/age"));
        Path key = dir.resolve("ops.txt");
        Files.writeString(key, OPS.identity() + "\n");
        int chunk = 64 * 1024;
        for (int size : new int[] {chunk, AgeSealer.BATCH_CHUNKS * chunk, 80 * chunk, 80 * chunk + 1, 5 * 1024 * 1024 + 12345}) {
            byte[] plain = new byte[size];
            new Random(size).nextBytes(plain);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream e = Age.encrypt(out, List.of(OPS.recipient()))) {
                int at = 0;
                for (int piece = 1; at < size; piece = piece * 7 % 300_007 + 1) {
                    int n = Math.min(piece, size - at);
                    if (n == 1) {
                        e.write(plain[at]);
                    } else {
                        e.write(plain, at, n);
                    }
                    at += n;
                }
            }
            byte[] sealed = out.toByteArray();
            int header = indexOf(sealed, "\n---") + 1 + 48 + 16; // "--- MAC\n", then the payload nonce
            long chunks = (size + chunk - 1) / chunk;
            assertThat(sealed.length).as("%d bytes: header + plaintext + a tag per chunk", size)
                    .isEqualTo(header + size + 16 * chunks);
            assertThat(Age.decrypt(new ByteArrayInputStream(sealed), List.of(OPS.identity()), "obj").readAllBytes())
                    .as("Jagged reads %d bytes back", size).isEqualTo(plain);
            if (age) {
                Path in = dir.resolve("p.age");
                Path back = dir.resolve("p");
                Files.write(in, sealed);
                Files.deleteIfExists(back);
                assertThat(run("age", "-d", "-i", key.toString(), "-o", back.toString(), in.toString())).isZero();
                assertThat(Files.readAllBytes(back)).as("age -d reads %d bytes back", size).isEqualTo(plain);
            }
        }
    }

    /** A failing sink is reported to the writer (at a write or at close), and is then not closed: no upload completes. */
    @Test
    void aSinkThatFailsStopsTheWriterAndIsNotClosed() throws Exception {
        boolean[] closed = {false};
        OutputStream failing = new OutputStream() {
            long n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                n += len;
                if (n > 2_000_000) {
                    throw new IOException("disk full (test)");
                }
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        OutputStream e = Age.encrypt(failing, List.of(OPS.recipient()));
        assertThatThrownBy(() -> {
            try (e) {
                byte[] b = new byte[100_000];
                for (int i = 0; i < 1000; i++) {
                    e.write(b);
                }
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("disk full (test)");
        assertThat(closed[0]).isFalse();
    }

    private static int run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static int indexOf(byte[] b, String s) {
        byte[] n = s.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= b.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (b[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(s + " not found");
    }
}
