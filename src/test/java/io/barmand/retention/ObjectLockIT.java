package io.barmand.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.bucket.BackupFetch;
import io.barmand.bucket.Catalog;
import io.barmand.bucket.Layout;
import io.barmand.bucket.Locks;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Download;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.RetentionPolicy;
import io.barmand.config.Settings;
import io.barmand.job.JobService;
import io.barmand.job.RunOptions;
import io.barmand.offsite.BarmanSource;
import io.barmand.offsite.OffsiteService;
import io.barmand.offsite.OffsiteVerifier;
import io.barmand.testing.Contexts;
import io.barmand.testing.MotoServer;
import io.barmand.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Object Lock against moto's S3 server, which enforces it: copies written locked from the S3 policy, a tier's copy
 * locked until its tier's end by retention; an attacker with barmand's own credentials deleting every object (with
 * and without version ids) and overwriting the newest copy cannot remove a locked version, and the newest copy is
 * still restored bit-identical from the recorded versions; retention keeps a copy "locked until D" and deletes its
 * versions after D, never before; a bucket without Object Lock is refused naming the fix.
 */
class ObjectLockIT {
    static final String SERVER = BarmanStandIn.SERVER;
    static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    @TempDir
    Path tmp;

    static S3Client raw(java.net.URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("barmand", "barmand-secret")))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()).build();
    }

    /** A DONE backup in the stand-in's catalogue ending at {@code end}, with random data files and WAL begin..end. */
    static String backup(BarmanStandIn b, Instant end, int beginSeg, int endSeg, long seed) throws Exception {
        String id = ID.format(end.minusSeconds(60));
        b.backup(id, "DONE", end.minusSeconds(60), end, null);
        Path dir = b.base.resolve(id);
        Files.writeString(dir.resolve("backup.info"), Files.readString(dir.resolve("backup.info"))
                + "begin_wal=" + seg(beginSeg) + "\nend_wal=" + seg(endSeg) + "\ntimeline=1\nxlog_segment_size=16777216\n"
                + "mode=postgres\nversion=150000\n");
        Path data = Files.createDirectories(dir.resolve("data/base/1"));
        Files.writeString(dir.resolve("data/PG_VERSION"), "15\n");
        Random r = new Random(seed);
        for (int i = 0; i < 3; i++) {
            byte[] x = new byte[200_000 + i];
            r.nextBytes(x);
            Files.write(data.resolve("1600" + i), x);
        }
        return id;
    }

    static String seg(int n) {
        return String.format("%08X%08X%08X", 1, 0, n);
    }

    static void wal(Path wals, int from, int to) throws Exception {
        for (int i = from; i <= to; i++) {
            Path d = Files.createDirectories(wals.resolve(seg(i).substring(0, 16)));
            byte[] x = new byte[32 * 1024];
            new Random(i).nextBytes(x);
            Files.write(d.resolve(seg(i)), x);
        }
    }

    /**
     * How long "a"'s lock outlives the test's start: the steps until the attack must end within it (asserted), and the
     * test then waits for the rest of it (a real lock, enforced by moto: it cannot be shortened afterwards). 100 s:
     * those steps took up to 64 s on a 2-core host at load 20 (60 s was too short there).
     */
    static final Duration A_LOCK_LEFT = Duration.ofSeconds(100);

    @Test
    void lockedCopiesSurviveAnAttackerWithBarmandsKeysAndRetentionDeletesThemOnlyAfterTheirLock() throws Exception {
        try (MotoServer moto = new MotoServer(tmp)) {
            S3Client raw = raw(moto.uri);
            raw.createBucket(c -> c.bucket("locked").objectLockEnabledForBucket(true));
            raw.createBucket(c -> c.bucket("plain"));
            Path creds = tmp.resolve("s3.credentials");
            Files.writeString(creds, "[default]\naws_access_key_id = barmand\naws_secret_access_key = barmand-secret\n");
            Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-------"));

            BarmanStandIn b = new BarmanStandIn(tmp);
            Path wals = tmp.resolve("barman/" + SERVER + "/wals");
            Instant now = Instant.now();
            // written with a 2 h window, judged by retention with 1 h (an admin shortened it): "a" is locked
            // A_LOCK_LEFT more when the plan already wants it gone. "old" (last year) is kept by keep-yearly 2.
            Instant oldEnd = LocalDate.now(ZoneOffset.UTC).minusYears(1).withDayOfYear(10).atStartOfDay(ZoneOffset.UTC)
                    .toInstant().plusSeconds(3600);
            String old = backup(b, oldEnd, 2, 3, 1);
            String a = backup(b, now.minus(Duration.ofHours(2)).plus(A_LOCK_LEFT), 4, 5, 2);
            String bb = backup(b, now.minus(Duration.ofMinutes(61)), 6, 7, 3);
            String c = backup(b, now.minus(Duration.ofMinutes(5)), 9, 10, 4);
            wal(wals, 1, 11);
            String block = "timezone = \"UTC\"\n"
                    + "offsite { enabled = true, endpoint = \"" + moto.uri + "\", bucket = locked, prefix = lk,\n"
                    + "  credentials-file = \"" + creds + "\", spool-dir = \"" + tmp.resolve("spool") + "\",\n"
                    + "  object-lock { mode = governance } }\n"
                    + "retention { enabled = true, minimum-redundancy = 1, max-deletes-per-run = 50,\n"
                    + "  local { recovery-window = 1h, keep-daily = 0, keep-weekly = 0, keep-monthly = 0, keep-yearly = 0 }\n"
                    + "  s3 { recovery-window = 1h, keep-daily = 0, keep-weekly = 0, keep-monthly = 0, keep-yearly = 2 } }\n";
            Settings settings = b.settings(block);
            RetentionPolicy written = RetentionPolicy.of(Optional.of(Duration.ofHours(2)), 0, 0, 0, 2, 1, 50, ZoneOffset.UTC);
            MutableClock clock = new MutableClock(Instant.now());
            OffsiteService copy = new OffsiteService(settings.offsite(), BarmanSource.of(b.client(), Duration.ofMinutes(1)),
                    S3Store::new, "it", clock, Map.of(SERVER, written));
            for (String id : List.of(old, a, bb, c)) {
                clock.set(Instant.now());
                // the stand-in's own files (list.json, annotations/) are no part of a Barman backup folder
                Path dir = b.base.resolve(id);
                Path aside = Files.createDirectories(tmp.resolve("aside/" + id));
                Files.move(dir.resolve("list.json"), aside.resolve("list.json"));
                Files.move(dir.resolve("annotations"), aside.resolve("annotations"));
                JobService.Result r = copy.execute(Contexts.offsite(SERVER, id));
                Files.move(aside.resolve("list.json"), dir.resolve("list.json"));
                Files.move(aside.resolve("annotations"), dir.resolve("annotations"));
                assertThat(r.success()).as(id + ": " + r.figures()).isTrue();
            }
            S3Store st = new S3Store(settings.offsite().get(SERVER));
            Layout layout = new Layout("lk");
            Catalog cat = new Catalog(st);
            // each copy written locked until its end + the window it was written with; "old"'s day was long past
            Manifest mc = cat.manifest(SERVER, c).orElseThrow();
            Manifest ma = cat.manifest(SERVER, a).orElseThrow();
            Instant lockA = Instant.parse(ma.lockedUntil());
            for (Manifest.ObjectEntry o : mc.objects()) {
                assertThat(o.versionId()).as(o.key()).isNotNull();
                S3Store.Lock l = st.lockOf(o.key(), o.versionId()).orElseThrow();
                assertThat(l.word()).isEqualTo("governance");
                assertThat(l.until()).isEqualTo(Instant.parse(mc.lockedUntil()));
            }
            assertThat(Instant.parse(mc.lockedUntil())).isCloseTo(now.minus(Duration.ofMinutes(5)).plus(Duration.ofHours(2)),
                    org.assertj.core.api.Assertions.within(2, java.time.temporal.ChronoUnit.SECONDS));
            assertThat(cat.manifest(SERVER, old).orElseThrow().lockedUntil()).isNull();
            // WAL objects locked on write too (the write + the window)
            String walKey = st.list(layout.wals(SERVER)).get(0).key();
            assertThat(st.lockOf(walKey, null)).isPresent();

            // a bucket without Object Lock: refused before anything is written, naming the fix
            var plainSettings = Map.of(SERVER, settings.offsite().get(SERVER).withBucket("plain"));
            OffsiteService plain = new OffsiteService(plainSettings, BarmanSource.of(b.client(), Duration.ofMinutes(1)),
                    S3Store::new, "it", clock, Map.of(SERVER, written));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.execute(Contexts.offsite(SERVER, c)))
                    .isInstanceOf(io.barmand.error.BarmandException.class)
                    .hasMessageContaining("bucket 'plain' has no Object Lock")
                    .hasMessageContaining("--object-lock-enabled-for-bucket")
                    .satisfies(e -> System.out.println("plain bucket: " + e.getMessage()));
            assertThat(raw.listObjectsV2(r -> r.bucket("plain")).contents()).isEmpty();

            // retention now: "a" is past the 1 h plan but locked until its 2 h lock: kept, saying so
            clock.set(Instant.now());
            assertThat(clock.instant()).isBefore(lockA);
            RetentionService svc = new RetentionService(b.client(), null, settings.servers(), S3Store::new,
                    (server, id) -> List.of(), settings.stateDir(), clock);
            Plan s3 = svc.plans(SERVER, true, Duration.ofMinutes(1)).s3().orElseThrow();
            PlanText.table(s3).forEach(l -> System.out.println("s3 plan: " + l));
            assertThat(s3.decision(a).verdict()).isEqualTo(Verdict.KEEP);
            assertThat(s3.decision(a).reason().rule()).isEqualTo(Reason.Rule.OBJECT_LOCK);
            assertThat(s3.decision(a).reason().text()).startsWith("locked until " + lockA);
            assertThat(String.join("\n", PlanText.table(s3))).contains("locked until " + lockA);
            assertThat(s3.decision(old).verdict()).isEqualTo(Verdict.KEEP_STANDALONE);
            JobService.Result r1 = svc.execute(Contexts.of(JobKind.RETENTION, SERVER, RunOptions.NONE.withAllowMassDelete()));
            System.out.println("retention before the lock ends: " + r1.figures().detail() + " | " + r1.figures().error());
            assertThat(r1.success()).as(String.valueOf(r1.figures())).isTrue();
            assertThat(st.versions(layout.backup(SERVER, a))).isNotEmpty();
            // the tier's copy: locked until its tier's end (Jan 1 of the year after next of its year), every object
            Instant yearly = LocalDate.of(oldEnd.atZone(ZoneOffset.UTC).getYear() + 2, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
            Manifest mo = cat.manifest(SERVER, old).orElseThrow();
            for (Manifest.ObjectEntry o : mo.objects()) {
                assertThat(st.lockOf(o.key(), o.versionId()).orElseThrow().until()).as(o.key()).isEqualTo(yearly);
            }
            assertThat(Locks.forCopy(settings.servers().get(SERVER).retention().orElseThrow().s3().orElseThrow(), oldEnd,
                    List.of(oldEnd), clock.instant())).isEqualTo(yearly);
            // offsite verify reports the bucket's configuration and the copy's lock
            OffsiteVerifier.Report v = new OffsiteVerifier(st).verify(SERVER, Optional.of(c), false);
            v.lines().forEach(l -> System.out.println("verify: " + l));
            assertThat(v.problems()).isEmpty();
            assertThat(String.join("\n", v.lines())).contains("Object Lock: bucket locked: Enabled",
                    "copy " + c + ": locked (governance) until " + mc.lockedUntil());

            // the attacker, with barmand's own keys: every version deleted by id, every key deleted, the newest
            // copy's objects overwritten
            int refusedDeletes = 0;
            int deleted = 0;
            for (ObjectVersion ov : raw.listObjectVersionsPaginator(r -> r.bucket("locked")).versions()) {
                try {
                    raw.deleteObject(r -> r.bucket("locked").key(ov.key()).versionId(ov.versionId()));
                    deleted++;
                } catch (S3Exception e) {
                    refusedDeletes++;
                }
            }
            Instant attacked = Instant.now();
            for (var o : raw.listObjectsV2Paginator(r -> r.bucket("locked")).contents()) {
                raw.deleteObject(r -> r.bucket("locked").key(o.key()));
            }
            for (Manifest.ObjectEntry o : mc.objects()) {
                raw.putObject(r -> r.bucket("locked").key(o.key()), RequestBody.fromString("ransom note"));
            }
            raw.putObject(r -> r.bucket("locked").key(layout.manifest(SERVER, c)), RequestBody.fromString("{}"));
            System.out.println("attacker: " + deleted + " version(s) deleted, " + refusedDeletes + " refused");
            assertThat(refusedDeletes).isPositive();
            // "a" survived the attack on its lock (had the steps up to the attack outlasted A_LOCK_LEFT, this says so)
            assertThat(attacked).as("the attack on a's versions ran while a's lock held").isBefore(lockA);
            assertThat(st.versions(layout.backup(SERVER, a))).as("a's locked versions after the attack").isNotEmpty();
            for (Manifest.ObjectEntry o : mc.objects()) {
                assertThat(st.head(o.key(), o.versionId())).as("locked version of %s", o.key()).isPresent();
            }
            // verify finds the copy's and its WAL's locked versions behind the attacker's delete markers
            OffsiteVerifier.Report after = new OffsiteVerifier(st).verify(SERVER, Optional.of(c), false);
            after.lines().forEach(l -> System.out.println("verify after the attack: " + l));
            assertThat(after.problems()).noneMatch(p -> p.startsWith("MISSING"));
            assertThat(String.join("\n", after.lines())).contains("WAL object(s) deleted as current objects by someone else");
            // the newest copy restores bit-identical from the recorded versions (the download restore uses)
            Manifest picked = new S3Download(st).pick(SERVER, "latest", Optional.empty()).orElseThrow();
            assertThat(picked.backupId()).isEqualTo(c);
            Path into = Files.createDirectories(tmp.resolve("restore"));
            BackupFetch.Fetched f = new BackupFetch(st).fetch(SERVER, picked, into, into.resolve("wal"), () -> { },
                    (key, n, problem) -> { });
            assertThat(f.problems()).isEmpty();
            assertThat(f.ok()).isTrue();
            Path src = b.base.resolve(c).resolve("data");
            List<Path> files = new ArrayList<>();
            try (var w = Files.walk(src)) {
                w.filter(Files::isRegularFile).forEach(files::add);
            }
            assertThat(files).hasSize(4);
            for (Path p : files) {
                assertThat(Files.mismatch(p, into.resolve(src.relativize(p)))).as(p.toString()).isEqualTo(-1L);
            }
            for (int i = 9; i <= 10; i++) {
                assertThat(into.resolve("wal/" + seg(i))).hasBinaryContent(Files.readAllBytes(
                        wals.resolve(seg(i).substring(0, 16)).resolve(seg(i))));
            }

            // once "a"'s lock has ended (the store's time), retention deletes every version of it, by version id
            System.out.printf("a's lock ends in %d ms (of %s after the test's start)%n",
                    Duration.between(Instant.now(), lockA).toMillis(), A_LOCK_LEFT);
            LockSupport.parkUntil(lockA.toEpochMilli() + 1000);
            while (Instant.now().isBefore(lockA.plusSeconds(1))) {
                LockSupport.parkUntil(lockA.toEpochMilli() + 1000);
            }
            clock.set(Instant.now());
            assertThat(svc.plans(SERVER, true, Duration.ofMinutes(1)).s3().orElseThrow().decision(a).verdict().deletes()).isTrue();
            JobService.Result r2 = svc.execute(Contexts.of(JobKind.RETENTION, SERVER, RunOptions.NONE.withAllowMassDelete()));
            System.out.println("retention after the lock: " + r2.figures().detail() + " | " + r2.figures().error());
            assertThat(r2.figures().facts().text("s3-deleted-backups")).contains(a);
            assertThat(st.versions(layout.backup(SERVER, a))).isEmpty();
            // the others' locked versions are all still there
            for (Manifest.ObjectEntry o : mc.objects()) {
                assertThat(st.head(o.key(), o.versionId())).isPresent();
            }
            st.close();
        }
    }
}
