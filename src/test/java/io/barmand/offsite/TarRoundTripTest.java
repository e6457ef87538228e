package io.barmand.offsite;

import io.barmand.bucket.Manifest;
import io.barmand.bucket.TarReader;
import io.barmand.bucket.TarWriter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tar barmand writes (Commons Compress): read back by its own reader (verify --download, restore from S3) and by
 * GNU tar (the disaster-day restore by hand); and the tar barmand 0.1.0 wrote (LegacyTarWriter), which copies
 * already in buckets hold, still read.
 */
class TarRoundTripTest {
    @TempDir
    Path dir;

    private Path backup() throws IOException {
        FakeBarmanHome h = new FakeBarmanHome(dir.resolve("home"));
        Path b = h.backup("20261124T010203", 2, "000000010000000000000002", "000000010000000000000002", 9);
        // a name over 100 bytes whose folder does not fit ustar's 155-byte prefix either: a PAX path in both writers
        Path deep = Files.createDirectories(b.resolve("data/" + "p".repeat(160)));
        Files.writeString(deep.resolve("f"), "deep\n");
        Files.writeString(b.resolve("data/" + "n".repeat(120)), "a long last component\n");
        Files.createSymbolicLink(b.resolve("data/pg_tblspc_link"), Path.of("/var/lib/postgresql/tblspc/" + "t".repeat(120)));
        Path mode = b.resolve("data/postgresql.auto.conf");
        Files.writeString(mode, "# edited\n");
        Files.setPosixFilePermissions(mode, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(mode, FileTime.fromMillis(1_700_000_000_789L));
        // an owner other than the test's own (root): the tar records the file's
        Files.setOwner(b.resolve("data/PG_VERSION"), b.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        return b;
    }

    private static Map<String, String> read(byte[] tar) throws IOException {
        Map<String, String> read = new HashMap<>();
        TarReader.read(new ByteArrayInputStream(tar), (name, size, sha) -> read.put(name, size + ":" + sha));
        return read;
    }

    private static Map<String, String> expected(List<Manifest.FileEntry> files) {
        Map<String, String> m = new HashMap<>();
        files.forEach(f -> m.put(f.path(), f.size() + ":" + f.sha256()));
        return m;
    }

    private static byte[] write(Path b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.addTree(b);
        w.finish();
        return out.toByteArray();
    }

    private static void run(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
    }

    @Test
    void filesLongNamesAndEmptyFoldersSurvive() throws Exception {
        Path b = backup();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.addTree(b);
        w.finish();
        assertThat(read(out.toByteArray())).isEqualTo(expected(w.files()));
        assertThat(w.files()).anySatisfy(f -> assertThat(f.path().length()).isGreaterThan(150));
        assertThat(w.files()).anySatisfy(f -> assertThat(f.path()).endsWith("n".repeat(120)));
        Path tar = dir.resolve("b.tar");
        Files.write(tar, out.toByteArray());
        Path x = Files.createDirectories(dir.resolve("x"));
        run(dir, "tar", "-xpf", tar.toString(), "-C", x.toString());
        for (Manifest.FileEntry f : w.files()) {
            Path src = b.resolve(f.path());
            Path got = x.resolve(f.path());
            assertThat(Files.mismatch(src, got)).as(f.path()).isEqualTo(-1L);
            // mode, mtime (whole seconds) and owner as the file has them
            assertThat(Files.getPosixFilePermissions(got)).as(f.path()).isEqualTo(Files.getPosixFilePermissions(src));
            assertThat(Files.getLastModifiedTime(got).to(TimeUnit.SECONDS)).as(f.path())
                    .isEqualTo(Files.getLastModifiedTime(src).to(TimeUnit.SECONDS));
            assertThat(Files.getAttribute(got, "unix:uid")).isEqualTo(Files.getAttribute(src, "unix:uid"));
            assertThat(Files.getOwner(got)).isEqualTo(Files.getOwner(src));
        }
        assertThat(Files.getPosixFilePermissions(x.resolve("data/postgresql.auto.conf")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readSymbolicLink(x.resolve("data/pg_tblspc_link")))
                .isEqualTo(Files.readSymbolicLink(b.resolve("data/pg_tblspc_link")));
        assertThat(x.resolve("data/pg_replslot")).isEmptyDirectory();
        // the owner's name and number, not a name made up for it
        Process tv = new ProcessBuilder("tar", "-tvf", tar.toString(), "data/PG_VERSION").redirectErrorStream(true).start();
        String line = new String(tv.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tv.waitFor()).isZero();
        assertThat(line).contains(" nobody/root ");
        Process tn = new ProcessBuilder("tar", "--numeric-owner", "-tvf", tar.toString(), "data/PG_VERSION").redirectErrorStream(true).start();
        String numeric = new String(tn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tn.waitFor()).isZero();
        assertThat(numeric).contains(" " + Files.getAttribute(b.resolve("data/PG_VERSION"), "unix:uid") + "/0 ");
    }

    /** Every file of a copy barmand 0.1.0 wrote (ustar prefix, PAX path and linkpath, postgres/postgres) reads the same. */
    @Test
    void copiesWrittenBy010StillRead() throws Exception {
        Path b = backup();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LegacyTarWriter w = new LegacyTarWriter(out);
        w.addTree(b);
        w.finish();
        assertThat(w.files()).anySatisfy(f -> assertThat(f.path().length()).isGreaterThan(150));
        assertThat(read(out.toByteArray())).isEqualTo(expected(w.files()));
        // and both writers record the same files with the same SHA-256: a manifest means the same thing
        assertThat(expected(w.files())).isEqualTo(expected(written(b)));
    }

    private static List<Manifest.FileEntry> written(Path b) throws IOException {
        TarWriter w = new TarWriter(OutputStream.nullOutputStream());
        w.addTree(b);
        w.finish();
        return w.files();
    }

    /** GNU tar's own long names (././@LongLink) read too: a copy repacked by hand with GNU tar still verifies. */
    @Test
    void gnuLongNamesRead() throws Exception {
        Path b = backup();
        Path tar = dir.resolve("gnu.tar");
        run(b, "tar", "--format=gnu", "-cf", tar.toString(), ".");
        Map<String, String> got = new HashMap<>();
        TarReader.read(Files.newInputStream(tar), (name, size, sha) -> got.put(name.replaceFirst("^\\./", ""), size + ":" + sha));
        assertThat(got).isEqualTo(expected(written(b)));
    }

    /** Damage in a header (seen in the lab: a flipped stretch of a zstd copy) is an IOException, never a runtime one. */
    @Test
    void aDamagedHeaderIsAnIoException() throws Exception {
        byte[] tar = write(backup());
        byte[] checksumField = tar.clone();
        checksumField[150] = (byte) 0xff;
        assertThatThrownBy(() -> read(checksumField)).isInstanceOf(IOException.class);
        byte[] checksumValue = tar.clone();
        checksumValue[0] ^= 1;
        assertThatThrownBy(() -> read(checksumValue)).isInstanceOf(IOException.class).hasMessageContaining("checksum");
        byte[] sizeField = tar.clone();
        sizeField[130] = '9';
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (sizeField[i] & 0xff);
        }
        byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, sizeField, 148, 6);
        sizeField[154] = 0;
        sizeField[155] = ' ';
        assertThatThrownBy(() -> read(sizeField)).isInstanceOf(IOException.class);
    }

    /** A tar cut short, inside a file or at an entry's boundary before the end blocks, is an IOException. */
    @Test
    void aTarCutShortIsAnIoException() throws Exception {
        byte[] tar = write(backup());
        assertThatThrownBy(() -> read(Arrays.copyOf(tar, 512 + 100))).isInstanceOf(IOException.class);
        int end = tar.length;
        while (end >= 512 && isZero(tar, end - 512)) {
            end -= 512;
        }
        byte[] noEnd = Arrays.copyOf(tar, end);
        assertThatThrownBy(() -> read(noEnd)).isInstanceOf(IOException.class).hasMessageContaining("end blocks");
        assertThat(read(Arrays.copyOf(tar, end + 1024))).isEqualTo(read(tar));
    }

    private static boolean isZero(byte[] b, int off) {
        for (int i = off; i < off + 512; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A file over 8 GiB (ustar's size field holds 8 GiB - 1): a PAX size from both writers, read back with its
     * SHA-256. A sparse file of 8 GiB + 1 byte, each writer's tar streamed through the reader: about 32 GiB hashed,
     * so only on demand: {@code mvn -o test -Dtest=TarRoundTripTest -Dbarmand.tar.big=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "barmand.tar.big", matches = "true")
    void aFileOver8GiBRoundTrips() throws Exception {
        Path b = Files.createDirectories(dir.resolve("big"));
        long size = (8L << 30) + 1;
        try (RandomAccessFile f = new RandomAccessFile(b.resolve("huge").toFile(), "rw")) {
            f.setLength(size - 1);
            f.seek(size - 1);
            f.write('!');
        }
        MessageDigest md = io.barmand.bucket.Hashing.sha256();
        try (InputStream in = Files.newInputStream(b.resolve("huge"))) {
            byte[] buf = new byte[1 << 20];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
        }
        String want = size + ":" + io.barmand.bucket.Hashing.hex(md.digest());
        assertThat(piped(out -> {
            TarWriter w = new TarWriter(out);
            w.addTree(b);
            w.finish();
            assertThat(w.files()).containsExactly(new Manifest.FileEntry("huge", size, want.substring(want.indexOf(':') + 1)));
        })).containsExactly(Map.entry("huge", want));
        assertThat(piped(out -> {
            LegacyTarWriter w = new LegacyTarWriter(out);
            w.addTree(b);
            w.finish();
        })).containsExactly(Map.entry("huge", want));
        assertThat(Files.readAttributes(b.resolve("huge"), "unix:size", LinkOption.NOFOLLOW_LINKS).get("size")).isEqualTo(size);
    }

    private interface Producer {
        void write(OutputStream out) throws IOException;
    }

    private static Map<String, String> piped(Producer p) throws Exception {
        PipedInputStream in = new PipedInputStream(1 << 20);
        PipedOutputStream out = new PipedOutputStream(in);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (out) {
                p.write(out);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Map<String, String> read = new HashMap<>();
        TarReader.read(in, (name, size, sha) -> read.put(name, size + ":" + sha));
        in.transferTo(OutputStream.nullOutputStream());
        writer.get(10, TimeUnit.MINUTES);
        return read;
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
