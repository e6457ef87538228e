package io.barmand.offsite;

import io.barmand.bucket.S3Store;
import io.barmand.bucket.Layout;
import io.barmand.config.OffsiteSettings;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * A copy killed with SIGKILL in the middle of its multipart upload, against S3Proxy run as a process: the next run
 * aborts the orphaned upload, redoes the copy, and the bucket holds one verified copy and no multipart upload.
 */
class OffsiteKillIT {
    static final String ID = "20261124T020000";

    @TempDir
    Path dir;

    @Test
    void aCopyKilledWithSigkillIsCompletedByTheNextRunWithNoOrphanedUpload() throws Exception {
        try (S3ProxyProcess s3 = new S3ProxyProcess(dir, "kill-it", "kill-it-secret")) {
            S3Client raw = S3Test.raw(s3.uri, s3.access, s3.secret);
            raw.createBucket(b -> b.bucket("backups"));
            FakeBarmanHome barman = new FakeBarmanHome(dir.resolve("barman/itpg"));
            barman.backup(ID, 160, "000000010000000000000002", "000000010000000000000002", 7);
            barman.wal(2, 2);
            Path creds = S3Test.credentials(dir, s3.access, s3.secret);
            Path spool = dir.resolve("spool");
            // 5 MiB parts, one at a time: about 16 parts, long enough to be killed in the middle
            Process copy = new ProcessBuilder("java", "-cp", System.getProperty("java.class.path"), CopyMain.class.getName(),
                    s3.uri.toString(), "backups", creds.toString(), spool.toString(), barman.base.toString(),
                    barman.wals.toString(), "5", "1").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("copy.log").toFile()).start();
            String key = new Layout("barmand").data("itpg", ID, OffsiteSettings.Codec.ZSTD);
            int parts = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (parts < 3 && System.nanoTime() < deadline && copy.isAlive()) {
                // the sink writes part N+1 only once part N has been handed to the (single) uploader
                Path sp = spool.resolve("itpg");
                if (Files.isDirectory(sp)) {
                    try (var l = Files.list(sp)) {
                        parts = l.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-"))
                                .mapToInt(n -> Integer.parseInt(n.substring(5)) - 2).max().orElse(0);
                    } catch (java.io.UncheckedIOException | java.io.IOException raced) {
                        parts = 0;
                    }
                }
                Thread.sleep(20);
            }
            assertThat(copy.isAlive()).as("copy still running: %s", Files.exists(dir.resolve("copy.log"))
                    ? Files.readString(dir.resolve("copy.log")) : "").isTrue();
            assertThat(parts).isGreaterThanOrEqualTo(3);
            new ProcessBuilder("kill", "-9", Long.toString(copy.pid())).start().waitFor();
            assertThat(copy.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(copy.exitValue()).isEqualTo(137);

            // what the kill left: an open multipart upload, a journal, no manifest
            List<MultipartUpload> open = raw.listMultipartUploads(b -> b.bucket("backups")).uploads();
            assertThat(open).hasSize(1);
            assertThat(open.get(0).key()).isEqualTo(key);
            assertThat(spool.resolve("itpg.journal")).exists();
            assertThat(raw.listObjectsV2(b -> b.bucket("backups").prefix("barmand/itpg/base/")).contents())
                    .noneMatch(o -> o.key().endsWith("manifest.json"));

            // the next run (the daemon's next start or schedule)
            OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(s3.uri, "backups", "barmand", spool).withCredentialsFile(creds)
                    .withParts(5L << 20, 2);
            OffsiteService svc = new OffsiteService(Map.of("itpg", s), barman.source(),
                    S3Store::new, "test", Clock.systemUTC());
            var r = svc.execute("itpg", null);
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            assertThat(r.figures().facts().text("backup-copy")).contains("copied");
            assertThat(r.figures().facts().text("backup")).contains(ID);
            assertThat(r.figures().facts().count("aborted-uploads")).contains(1L);
            assertThat(raw.listMultipartUploads(b -> b.bucket("backups")).uploads()).isEmpty();
            assertThat(spool.resolve("itpg.journal")).doesNotExist();
            try (S3Store store = new S3Store(s)) {
                var v = new OffsiteVerifier(store).verify("itpg", Optional.of(ID), true);
                assertThat(v.problems()).isEmpty();
            }
        }
    }
}
