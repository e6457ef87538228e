package io.barmand.restore;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.Settings;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Restore tests that prove every byte, against real PostgreSQL 15 and Barman 3.4 (server itrestore): damage in
 * files that pg_amcheck never reads (a free-space map, a hash index, the visibility map of a table in another
 * database) passes amcheck but fails the manifest check, naming each file; the backup under test is kept from
 * Barman's retention while the test reads it.
 */
@ResourceLock(ItServerLock.ITRESTORE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RestoreIntegrityIT {
    static final String DB = "restoreit";
    static final String DB2 = "restoreit_other";
    Path dir;
    Path scratch;

    @BeforeAll
    static void fixture() {
        RestoreFixture.barmanConf();
        RestoreFixture.ensureDatabase(DB);
        RestoreFixture.ensureDatabase(DB2);
    }

    @BeforeEach
    void dirs() throws IOException {
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-integrity-it-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        scratch = dir.resolve("scratch");
    }

    @AfterEach
    void clean() throws IOException {
        for (ProcessHandle p : RestoreFixture.postgresOn(scratch)) {
            p.destroyForcibly();
        }
        Scratch.deleteTree(dir);
    }

    String block(String extra) {
        return "scratch-dir = \"" + scratch + "\"\ntimeout = 10m\nport-range = \"54360-54379\"\n" + extra;
    }

    static void damage(Path file, long at) throws IOException {
        assertThat(file).exists();
        byte[] junk = new byte[256];
        new Random(7).nextBytes(junk);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            raf.write(junk);
        }
    }

    @Test
    void damageThatAmcheckNeverReadsFailsTheManifestCheckNamingEachFile() throws IOException {
        RestoreFixture.psql(DB, "DROP TABLE IF EXISTS integrity");
        RestoreFixture.psql(DB, "CREATE TABLE integrity (id int, v text) WITH (autovacuum_enabled = false)");
        RestoreFixture.psql(DB, "INSERT INTO integrity SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
        RestoreFixture.psql(DB, "CREATE INDEX integrity_hash ON integrity USING hash (id)");
        RestoreFixture.psql(DB, "VACUUM integrity");
        RestoreFixture.psql(DB2, "DROP TABLE IF EXISTS other");
        RestoreFixture.psql(DB2, "CREATE TABLE other (id int, v text) WITH (autovacuum_enabled = false)");
        RestoreFixture.psql(DB2, "INSERT INTO other SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
        RestoreFixture.psql(DB2, "VACUUM other");
        RestoreFixture.psql(DB, "CHECKPOINT");
        String fsm = RestoreFixture.psql(DB, "SELECT pg_relation_filepath('integrity')") + "_fsm";
        String hash = RestoreFixture.psql(DB, "SELECT pg_relation_filepath('integrity_hash')");
        String vm = RestoreFixture.psql(DB2, "SELECT pg_relation_filepath('other')") + "_vm";
        String id = RestoreFixture.backup();
        try {
            Path data = RestoreFixture.backupDataDir(id);
            damage(data.resolve(fsm), 8192 + 64);
            damage(data.resolve(hash), 8192 * 3 + 64);
            damage(data.resolve(vm), 64);
            // what the restore test saw before: amcheck, the SQL checks and the start pass this backup
            Settings blind = RestoreFixture.settings(dir, block("backup-id = \"" + id + "\"\nverify { manifest = false, "
                    + "checksums = false }"));
            JobService.Result passed = RestoreFixture.service(blind).execute(RestoreFixture.SERVER, RestoreFixture.job(blind));
            System.out.println("damaged backup, manifest check off: " + passed.figures());
            assertThat(passed.success()).as("amcheck alone passes it: %s", passed.figures()).isTrue();
            // every file against the backup's manifest: failed before the instance starts, each file named
            Settings s = RestoreFixture.settings(dir, block("backup-id = \"" + id + "\""));
            JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
            RunFigures f = r.figures();
            System.out.println("damaged backup: " + f);
            assertThat(r.success()).isFalse();
            assertThat(f.failedChecks()).containsExactly("manifest");
            assertThat(f.error()).contains("\"" + fsm + "\"").contains("\"" + hash + "\"")
                    .contains("\"" + vm + "\"").contains("checksum mismatch");
            assertThat(f.facts().text("manifest")).contains("failed");
            assertThat(f.facts().get("start")).isEmpty();
            assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        } finally {
            RestoreFixture.deleteBackup(id);
            RestoreFixture.psql(DB, "DROP TABLE IF EXISTS integrity");
            RestoreFixture.psql(DB2, "DROP TABLE IF EXISTS other");
        }
    }

    @Test
    void aBadPageThatNothingElseReadsFailsPgChecksumsNamingTheFile() throws IOException {
        assertThat(RestoreFixture.RUNNER.run(java.util.List.of("/usr/lib/postgresql/15/bin/pg_controldata",
                "/var/lib/postgresql/15/barmandit"), Duration.ofSeconds(30)).stdout())
                .as("the fixture's cluster has data checksums").containsPattern("Data page checksum version:\\s+1");
        RestoreFixture.psql(DB, "DROP TABLE IF EXISTS checksummed");
        RestoreFixture.psql(DB, "CREATE TABLE checksummed (id int, v text) WITH (autovacuum_enabled = false)");
        RestoreFixture.psql(DB, "INSERT INTO checksummed SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
        RestoreFixture.psql(DB, "CREATE INDEX checksummed_hash ON checksummed USING hash (id)");
        RestoreFixture.psql(DB, "CHECKPOINT");
        String hash = RestoreFixture.psql(DB, "SELECT pg_relation_filepath('checksummed_hash')");
        String id = RestoreFixture.backup();
        try {
            damage(RestoreFixture.backupDataDir(id).resolve(hash), 8192 * 3 + 64);
            // the manifest check off: the instance starts, amcheck passes (it reads no hash index), pg_checksums does not
            Settings s = RestoreFixture.settings(dir, block("backup-id = \"" + id + "\"\nverify.manifest = false"));
            JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
            RunFigures f = r.figures();
            System.out.println("bad page: " + f);
            assertThat(r.success()).isFalse();
            assertThat(f.failedChecks()).containsExactly("checksums");
            assertThat(f.error()).contains(hash).contains("block 3");
            assertThat(f.facts().seconds("amcheck")).isPresent();
            assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        } finally {
            RestoreFixture.deleteBackup(id);
            RestoreFixture.psql(DB, "DROP TABLE IF EXISTS checksummed");
        }
    }

    @Test
    void theVerifyJobChecksEachNewBackupWithBarmanVerifyBackupAndNamesADamagedFile() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        try (io.barmand.history.RunStore h = io.barmand.history.RunStore.open(state, true)) {
            io.barmand.jobs.VerifyService v = new io.barmand.jobs.VerifyService(RestoreFixture.barman(), h,
                    server -> java.util.Optional.empty());
            io.barmand.config.JobSettings js = io.barmand.testing.Jobs.settings(io.barmand.config.JobKind.VERIFY, null,
                    Duration.ofMinutes(10), false, Duration.ZERO, false);
            String good = RestoreFixture.backup();
            String bad = null;
            try {
                // the first run verifies the newest backup, and records how far it got
                JobService.Result first = record(h, v, js);
                assertThat(first.success()).as(String.valueOf(first.figures())).isTrue();
                assertThat(first.figures().facts().text("verified-through")).contains(good);
                bad = RestoreFixture.backup();
                damage(RestoreFixture.backupDataDir(bad).resolve("PG_VERSION"), 0);
                JobService.Result second = record(h, v, js);
                System.out.println("verify of a damaged backup: " + second.figures());
                assertThat(second.success()).isFalse();
                assertThat(second.figures().error()).contains("backup " + bad + ": ").contains("\"PG_VERSION\"");
                // not marked verified: the next run tries it again
                JobService.Result third = record(h, v, js);
                assertThat(third.success()).isFalse();
                assertThat(third.figures().error()).contains("backup " + bad);
            } finally {
                RestoreFixture.deleteBackup(good);
                if (bad != null) {
                    RestoreFixture.deleteBackup(bad);
                }
            }
        }
    }

    /** Runs the job and records it as the runner would (the next run reads how far the last one got). */
    static JobService.Result record(io.barmand.history.RunStore h, io.barmand.jobs.VerifyService v,
                                    io.barmand.config.JobSettings js) {
        long id = h.start(RestoreFixture.SERVER, "verify", io.barmand.history.Trigger.MANUAL, java.time.Instant.now());
        JobService.Result r = v.execute(RestoreFixture.SERVER, js);
        h.finish(id, r.success() ? io.barmand.history.Outcome.SUCCESS : io.barmand.history.Outcome.FAILED,
                java.time.Instant.now(), 1, r.figures());
        return r;
    }

    @Test
    void theBackupUnderTestSurvivesBarmanCronWithARetentionPolicyThatMakesItObsolete() throws Exception {
        // a Barman configuration of its own for itrestore with REDUNDANCY 1: each new backup makes the older obsolete
        Path conf = dir.resolve("barman-redundancy1.conf");
        String base = Files.readString(RestoreFixture.barmanConf());
        Files.writeString(conf, base.replace("[" + RestoreFixture.SERVER + "]", "[" + RestoreFixture.SERVER
                + "]\nretention_policy = REDUNDANCY 1\nminimum_redundancy = 0"));
        String older = RestoreFixture.backup();
        String newer = RestoreFixture.backup();
        Settings s = RestoreFixture.settings(dir, block("backup-id = \"" + older + "\"\ntimeout = 10m"));
        RestoreTestService svc = new RestoreTestService(RestoreFixture.barman(), RestoreFixture.RUNNER, s.restore(),
                java.time.Clock.systemUTC(), java.util.Map.of(), io.barmand.bucket.S3Store::new, RestoreKeeps.in(dir));
        var test = java.util.concurrent.CompletableFuture.supplyAsync(() -> svc.execute(RestoreFixture.SERVER, RestoreFixture.job(s)));
        try {
            // once the test holds its keep, Barman's cron applies the policy
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).until(() ->
                    RestoreFixture.barman().keepStatus(RestoreFixture.SERVER, older, Duration.ofMinutes(1)).equals("full"));
            assertThat(RestoreKeeps.in(dir).journal().resolve(RestoreFixture.SERVER + "@" + older + ".keep")).exists();
            var cron = RestoreFixture.RUNNER.run(java.util.List.of("barman", "-c", conf.toString(), "cron"), Duration.ofMinutes(2));
            assertThat(cron.ok()).as(cron.stderrTail()).isTrue();
            assertThat(ids()).contains(older, newer);
            JobService.Result r = test.get(10, java.util.concurrent.TimeUnit.MINUTES);
            System.out.println("restore test of an obsolete backup: " + r.figures());
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            assertThat(r.figures().facts().text("keep")).contains("taken");
            // released afterwards: the same cron now deletes it, as the policy says
            assertThat(RestoreFixture.barman().keepStatus(RestoreFixture.SERVER, older, Duration.ofMinutes(1))).isEqualTo("nokeep");
            assertThat(RestoreKeeps.in(dir).journal().resolve(RestoreFixture.SERVER + "@" + older + ".keep")).doesNotExist();
            RestoreFixture.RUNNER.run(java.util.List.of("barman", "-c", conf.toString(), "cron"), Duration.ofMinutes(2));
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> !ids().contains(older));
            assertThat(ids()).contains(newer);
        } finally {
            test.cancel(true);
            RestoreFixture.deleteBackup(older);
        }
    }

    @Test
    void aKeepLeftByAKilledBarmandIsReleasedAtTheNextStart() throws Exception {
        String id = RestoreFixture.backup();
        try {
            RestoreFixture.barman().keep(RestoreFixture.SERVER, id, "full", Duration.ofMinutes(1));
            Path keeps = Files.createDirectories(RestoreKeeps.in(dir).journal());
            Files.writeString(keeps.resolve(RestoreFixture.SERVER + "@" + id + ".keep"), "restore test (killed)\n");
            Settings s = RestoreFixture.settings(dir, block(""));
            RestoreTestService svc = new RestoreTestService(RestoreFixture.barman(), RestoreFixture.RUNNER, s.restore(),
                    java.time.Clock.systemUTC(), java.util.Map.of(), io.barmand.bucket.S3Store::new, RestoreKeeps.in(dir));
            assertThat(svc.releaseLeftoverKeeps()).isEqualTo(1);
            assertThat(RestoreFixture.barman().keepStatus(RestoreFixture.SERVER, id, Duration.ofMinutes(1))).isEqualTo("nokeep");
            assertThat(keeps.resolve(RestoreFixture.SERVER + "@" + id + ".keep")).doesNotExist();
        } finally {
            RestoreFixture.deleteBackup(id);
        }
    }

    static java.util.List<String> ids() {
        return RestoreFixture.barman().listBackups(RestoreFixture.SERVER, Duration.ofMinutes(1)).stream()
                .map(b -> b.backupId()).toList();
    }
}
