package io.barmand.offsite;

import io.barmand.bucket.Hashing;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.Layout;
import io.barmand.config.OffsiteSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The offsite copy against a real S3 server (S3Proxy in the JVM, filesystem backend). */
class OffsiteCopyIT {
    static final String ACCESS = "barmand-it";
    static final String SECRET = "barmand-it-secret";
    static final String BUCKET = "backups";
    static final String ID = "20261124T010203";

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    @TempDir
    Path dir;
    S3Client raw;
    FakeBarmanHome barman;
    OffsiteSettings settings;

    @BeforeEach
    void setUp() throws IOException {
        raw = S3Test.raw(S3.getUri(), ACCESS, SECRET);
        raw.createBucket(b -> b.bucket(BUCKET));
        barman = new FakeBarmanHome(dir.resolve("barman/itpg"));
        settings = S3Test.settings(S3.getUri(), BUCKET, dir, ACCESS, SECRET);
    }

    OffsiteService service(OffsiteSettings s) {
        return new OffsiteService(Map.of("itpg", s), barman.source(), S3Store::new, "test",
                Clock.systemUTC());
    }

    @Test
    void aBackupIsCopiedWithItsWalAndVerified() throws Exception {
        Path b = barman.backup(ID, 12, "000000010000000000000002", "000000010000000000000003", 1);
        barman.wal(1, 4);
        var r = service(settings).execute("itpg", null);
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(r.figures().backupId()).isEqualTo(ID);
        io.barmand.history.Facts facts = r.figures().facts();
        assertThat(facts.text("backup")).contains(ID);
        assertThat(facts.text("backup-copy")).contains("copied");
        assertThat(facts.bytes("backup-bytes")).hasValueSatisfying(n -> assertThat(n).isPositive());
        assertThat(facts.bytes("stored-bytes")).hasValueSatisfying(n -> assertThat(n).isPositive());
        assertThat(facts.text("wal-newest-s3")).contains("000000010000000000000004");
        assertThat(facts.count("wal-missing-in-s3")).contains(0L);
        assertThat(r.figures().detail()).contains("backup " + ID + " copied");
        Layout l = new Layout("barmand");
        List<String> keys = raw.listObjectsV2Paginator(x -> x.bucket(BUCKET).prefix("barmand/")).contents().stream()
                .map(o -> o.key()).sorted().toList();
        assertThat(keys).contains(l.manifest("itpg", ID), l.backupInfo("itpg", ID), l.data("itpg", ID, OffsiteSettings.Codec.ZSTD),
                "barmand/itpg/wals/0000000100000000/000000010000000000000002.zst",
                "barmand/itpg/wals/0000000100000000/000000010000000000000004.zst");
        // WAL older than the oldest copy's begin cannot serve a restore from the bucket: not copied
        assertThat(keys).doesNotContain("barmand/itpg/wals/0000000100000000/000000010000000000000001.zst");
        assertThat(raw.listMultipartUploads(x -> x.bucket(BUCKET)).uploads()).isEmpty();
        // the manifest lists every original file with its size and SHA-256
        Manifest m = Manifest.parse(raw.getObjectAsBytes(x -> x.bucket(BUCKET).key(l.manifest("itpg", ID))).asByteArray());
        List<Path> local;
        try (Stream<Path> s = Files.walk(b)) {
            local = s.filter(Files::isRegularFile).toList();
        }
        assertThat(m.files()).hasSize(local.size());
        for (Manifest.FileEntry f : m.files()) {
            byte[] bytes = Files.readAllBytes(b.resolve(f.path()));
            assertThat(f.size()).isEqualTo(bytes.length);
            assertThat(f.sha256()).as(f.path()).isEqualTo(Hashing.sha256Hex(bytes));
        }
        assertThat(m.objects().get(0).parts()).isGreaterThan(1);
        // GNU tar unpacks the object to the same bytes
        Path data = dir.resolve("data.tar.zst");
        raw.getObject(x -> x.bucket(BUCKET).key(l.data("itpg", ID, OffsiteSettings.Codec.ZSTD)), data);
        Path out = Files.createDirectories(dir.resolve("unpacked"));
        Process p = new ProcessBuilder("bash", "-c", "zstd -dc '" + data + "' | tar -x -C '" + out + "'").inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        for (Path f : local) {
            assertThat(Files.mismatch(f, out.resolve(b.relativize(f)))).as(f.toString()).isEqualTo(-1L);
        }
        assertThat(out.resolve("data/pg_wal")).isDirectory();
        // verify, by size and by download
        try (S3Store store = new S3Store(settings)) {
            var v = new OffsiteVerifier(store).verify("itpg", Optional.empty(), true);
            assertThat(v.problems()).isEmpty();
            assertThat(v.ok()).isTrue();
        }
        // a second run finds the copy complete and copies nothing
        var again = service(settings).execute("itpg", null);
        assertThat(again.figures().facts().text("backup-copy")).contains("already-in-s3");
        assertThat(again.figures().facts().count("wal-copied")).contains(0L);
    }

    @Test
    void aCorruptedObjectIsFoundByVerifyDownload() throws Exception {
        barman.backup(ID, 6, "000000010000000000000002", "000000010000000000000002", 2);
        barman.wal(2, 2);
        assertThat(service(settings).execute("itpg", null).success()).isTrue();
        Layout l = new Layout("barmand");
        String key = l.data("itpg", ID, OffsiteSettings.Codec.ZSTD);
        byte[] obj = raw.getObjectAsBytes(x -> x.bucket(BUCKET).key(key)).asByteArray();
        obj[obj.length / 2] ^= 0x55; // one flipped byte, same size
        raw.putObject(x -> x.bucket(BUCKET).key(key), RequestBody.fromBytes(obj));
        try (S3Store store = new S3Store(settings)) {
            OffsiteVerifier v = new OffsiteVerifier(store);
            assertThat(v.verify("itpg", Optional.of(ID), false).ok()).as("sizes still match").isTrue();
            var down = v.verify("itpg", Optional.of(ID), true);
            assertThat(down.ok()).isFalse();
            assertThat(down.problems()).anySatisfy(p -> assertThat(p).startsWith("SHA-256 MISMATCH " + key));
        }
    }

    @Test
    void aWalGapInTheBucketIsReported() throws Exception {
        barman.backup(ID, 2, "000000010000000000000002", "000000010000000000000003", 3);
        barman.wal(1, 6);
        assertThat(service(settings).execute("itpg", null).success()).isTrue();
        raw.deleteObject(x -> x.bucket(BUCKET).key("barmand/itpg/wals/0000000100000000/000000010000000000000003.zst"));
        raw.deleteObject(x -> x.bucket(BUCKET).key("barmand/itpg/wals/0000000100000000/000000010000000000000005.zst"));
        try (S3Store store = new S3Store(settings)) {
            var v = new OffsiteVerifier(store).verify("itpg", Optional.empty(), false);
            assertThat(v.problems()).contains("MISSING WAL 000000010000000000000003 (needed by backup " + ID + ")",
                    "WAL GAP in S3: 000000010000000000000003", "WAL GAP in S3: 000000010000000000000005");
        }
        // the next run copies them again from Barman's archive
        var r = service(settings).execute("itpg", null);
        assertThat(r.success()).isTrue();
        assertThat(r.figures().facts().count("wal-copied")).contains(2L);
    }

    @Test
    void aCopyCutShortIsCleanedUpAndRedone() throws Exception {
        barman.backup(ID, 8, "000000010000000000000002", "000000010000000000000002", 4);
        // Barman took a newer backup since: the cut-short copy is redone first, then the newest is copied
        String newer = "20261124T030000";
        barman.backup(newer, 2, "000000010000000000000003", "000000010000000000000003", 5);
        barman.wal(2, 3);
        Layout l = new Layout("barmand");
        String key = l.data("itpg", ID, OffsiteSettings.Codec.ZSTD);
        // what a run killed in the middle leaves: a journal, a multipart upload with a part, backup.info (no manifest),
        // and an orphaned upload the journal does not know (killed before it was written)
        String upload = raw.createMultipartUpload(x -> x.bucket(BUCKET).key(key)).uploadId();
        raw.uploadPart(x -> x.bucket(BUCKET).key(key).uploadId(upload).partNumber(1), RequestBody.fromBytes(new byte[5 << 20]));
        String orphan = raw.createMultipartUpload(x -> x.bucket(BUCKET).key(l.backup("itpg", "20261123T000000") + "data.tar.zst")).uploadId();
        raw.putObject(x -> x.bucket(BUCKET).key(l.backupInfo("itpg", ID)), RequestBody.fromString("partial"));
        new Journal(settings.spoolDir(), "itpg").write(new Journal.Entry(ID, key, upload, "2026-11-24T01:02:03Z"));
        Files.createDirectories(settings.spoolDir().resolve("itpg"));
        Files.write(settings.spoolDir().resolve("itpg/part-7"), new byte[10]);
        assertThat(raw.listMultipartUploads(x -> x.bucket(BUCKET)).uploads()).hasSize(2);

        var r = service(settings).execute("itpg", null);
        assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
        assertThat(r.figures().facts().text("redone")).contains(ID);
        assertThat(r.figures().facts().text("backup")).contains(newer);
        assertThat(r.figures().facts().text("backup-copy")).contains("copied");
        assertThat(r.figures().facts().count("aborted-uploads")).contains(2L);
        assertThat(r.figures().backupId()).isEqualTo(newer);
        assertThat(raw.listMultipartUploads(x -> x.bucket(BUCKET)).uploads()).isEmpty();
        assertThat(settings.spoolDir().resolve("itpg.journal")).doesNotExist();
        assertThat(settings.spoolDir().resolve("itpg/part-7")).doesNotExist();
        try (S3Store store = new S3Store(settings)) {
            assertThat(new OffsiteVerifier(store).verify("itpg", Optional.of(ID), true).problems()).isEmpty();
            assertThat(new OffsiteVerifier(store).verify("itpg", Optional.of(newer), true).problems()).isEmpty();
        }
        assertThat(orphan).isNotBlank();
    }

    @Test
    void aFailedUploadIsAbortedAndLeavesNoManifest() throws Exception {
        barman.backup(ID, 30, "000000010000000000000002", "000000010000000000000002", 5);
        AtomicInteger parts = new AtomicInteger();
        // the third part fails for good: the upload is aborted, no manifest is written, the journal stays for the next run
        var failing = service(settings.withRetries(0, Duration.ofMillis(1)));
        OffsiteService svc = new OffsiteService(Map.of("itpg", settings.withRetries(0, Duration.ofMillis(1))),
                barman.source(), s -> new S3Store(s) {
                    @Override
                    public String uploadPart(String key, String uploadId, int n, Path file, String md5) {
                        if (parts.incrementAndGet() == 3) {
                            throw new BarmandException(io.barmand.error.Category.UNAVAILABLE, "S3 upload part 3: injected failure");
                        }
                        return super.uploadPart(key, uploadId, n, file, md5);
                    }
                }, "test", Clock.systemUTC());
        assertThatThrownBy(() -> svc.execute("itpg", null)).isInstanceOf(BarmandException.class).hasMessageContaining("injected");
        assertThat(raw.listMultipartUploads(x -> x.bucket(BUCKET)).uploads()).isEmpty();
        Layout l = new Layout("barmand");
        assertThat(raw.listObjectsV2(x -> x.bucket(BUCKET).prefix(l.backup("itpg", ID))).contents()).isEmpty();
        assertThat(failing.execute("itpg", null).success()).isTrue();
    }

    @Test
    void wrongCredentialsMissingBucketAndADeadEndpointGiveOneClearMessageEach() throws Exception {
        barman.backup(ID, 1, "000000010000000000000002", "000000010000000000000002", 6);
        OffsiteSettings badCreds = S3Test.settings(S3.getUri(), BUCKET, Files.createDirectories(dir.resolve("bad")), ACCESS, "wrong");
        assertThatThrownBy(() -> service(badCreds).execute("itpg", null)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("rejected the credentials").hasMessageContaining("credentials-file");
        OffsiteSettings noBucket = io.barmand.testing.TestOffsite.forEndpoint(S3.getUri(), "no-such-bucket", "barmand", dir.resolve("spool"))
                .withCredentialsFile(settings.credentialsFile().get());
        assertThatThrownBy(() -> service(noBucket).execute("itpg", null)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("bucket 'no-such-bucket' does not exist");
        // nothing listens on this port: retried with backoff, then one message
        int port;
        try (var ss = new java.net.ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        List<Duration> waits = new ArrayList<>();
        OffsiteSettings dead = io.barmand.testing.TestOffsite.forEndpoint(URI.create("http://127.0.0.1:" + port), BUCKET, "barmand", dir.resolve("spool"))
                .withCredentialsFile(settings.credentialsFile().get()).withRetries(3, Duration.ofMillis(100));
        OffsiteService svc = new OffsiteService(Map.of("itpg", dead), barman.source(),
                s -> new S3Store(s, waits::add), "test", Clock.systemUTC());
        assertThatThrownBy(() -> svc.execute("itpg", null)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("does not answer").hasMessageContaining("after 4 attempts");
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void checksumModeWhenSupportedIsRefusedByThisStoreWithAHint() throws Exception {
        // the SDK 2.30+ default (CRC32 trailers) against S3Proxy 2.4.1: why checksum-mode is a setting
        barman.backup(ID, 2, "000000010000000000000002", "000000010000000000000002", 8);
        barman.wal(2, 2);
        OffsiteService svc = service(settings.withChecksumMode(OffsiteSettings.ChecksumMode.WHEN_SUPPORTED)
                .withRetries(0, Duration.ofMillis(1)));
        assertThatThrownBy(() -> svc.execute("itpg", null)).isInstanceOf(BarmandException.class)
                .hasMessageContaining("answered 400").hasMessageContaining("set offsite.checksum-mode = \"when-required\"");
        assertThat(service(settings).execute("itpg", null).success()).isTrue();
    }

    static byte[] read(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
