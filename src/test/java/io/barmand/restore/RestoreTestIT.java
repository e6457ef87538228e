package io.barmand.restore;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import io.barmand.config.RestoreSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunFigures;
import io.barmand.jobs.BackupService;
import io.barmand.jobs.SwitchWalService;
import io.barmand.job.JobService;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Restore tests against the real thing: PostgreSQL 15 cluster "barmandit" and Barman 3.4 server "itrestore" of
 * restore-fixture.sh. Runs as root (as the ITs do); the scratch instance runs as barman.
 */
@ResourceLock(ItServerLock.ITRESTORE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RestoreTestIT {
    static final String DB = "restoreit";
    Path dir;
    Path scratch;

    @BeforeAll
    static void fixture() {
        RestoreFixture.barmanConf();
        RestoreFixture.ensureDatabase(DB);
        RestoreFixture.psql(DB, "CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, v text)");
        RestoreFixture.psql(DB, "INSERT INTO accounts SELECT g, md5(g::text) FROM generate_series(1, 1000) g ON CONFLICT DO NOTHING");
    }

    @BeforeEach
    void dirs() throws IOException {
        if (RestoreFixture.barman().listBackups(RestoreFixture.SERVER, java.time.Duration.ofMinutes(1)).stream()
                .noneMatch(b -> "DONE".equals(b.status()))) {
            RestoreFixture.backup();
        }
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-restore-it-");
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
        return "scratch-dir = \"" + scratch + "\"\n"
                + "timeout = 10m\n"
                + "port-range = \"54360-54379\"\n"
                + "verify.tables = [\"" + DB + ":public.accounts\"]\n"
                + "verify.assertions = [{ name = \"accounts\", database = \"" + DB + "\", "
                + "query = \"SELECT count(*) FROM accounts\", expect = \"1000\" }]\n"
                + extra;
    }

    @Test
    void goodBackupPasses() throws IOException {
        String id = RestoreFixture.backup();
        Settings s = RestoreFixture.settings(dir, block("backup-id = \"" + id + "\""));
        JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
        RunFigures f = r.figures();
        System.out.println("good backup: " + f);
        assertThat(r.success()).as(f.toString()).isTrue();
        assertThat(f.backupId()).isEqualTo(id);
        assertThat(f.failedChecks()).isEmpty();
        assertThat(f.sizeBytes()).isPositive();
        assertThat(f.throughputBytesPerSec()).isPositive();
        io.barmand.history.Facts facts = f.facts();
        assertThat(facts.seconds("rto")).hasValueSatisfying(t -> assertThat(t).isPositive());
        assertThat(facts.seconds("recover")).hasValueSatisfying(t -> assertThat(t).isPositive());
        assertThat(facts.seconds("amcheck")).isPresent();
        // every file checked against the backup's manifest before the start; the page checksums when the cluster has them
        assertThat(facts.text("manifest")).contains("verified");
        assertThat(facts.seconds("verifybackup")).isPresent();
        assertThat(facts.text("checksums")).hasValueSatisfying(c -> assertThat(c).isIn("verified", "off"));
        assertThat(facts.text("keep")).contains("taken");
        assertThat(facts.count("user-tables")).hasValueSatisfying(n -> assertThat(n).isPositive());
        assertThat(facts.text("rows")).hasValueSatisfying(t -> assertThat(t).contains(DB + ":public.accounts=1000"));
        assertThat(facts.lsn("replay-lsn")).hasValueSatisfying(l -> assertThat(l).matches("[0-9A-F]+/[0-9A-F]+"));
        assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        assertThat(RestoreFixture.postgresOn(scratch)).isEmpty();
    }

    @Test
    void damagedDataPageFailsAndNamesIt() throws IOException {
        RestoreFixture.psql(DB, "DROP TABLE IF EXISTS damaged");
        // no autovacuum: WAL replay touching the damaged page would fail the start instead of pg_amcheck (see below)
        RestoreFixture.psql(DB, "CREATE TABLE damaged (id int, v text) WITH (autovacuum_enabled = false)");
        RestoreFixture.psql(DB, "INSERT INTO damaged SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g");
        RestoreFixture.psql(DB, "CHECKPOINT");
        String rel = RestoreFixture.psql(DB, "SELECT pg_relation_filepath('damaged')");
        String id = RestoreFixture.backup();
        try {
            Path file = RestoreFixture.backupDataDir(id).resolve(rel);
            assertThat(file).exists();
            // block 1: garbage over the page header and line pointers
            byte[] junk = new byte[512];
            new Random(42).nextBytes(junk);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(8192);
                raf.write(junk);
            }
            // the manifest check would fail it before the start (RestoreIntegrityIT): off, to see pg_amcheck find it
            Settings s = RestoreFixture.settings(dir, block("backup-id = \"" + id + "\"\nverify.manifest = false"));
            JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
            System.out.println("damaged backup: " + r.figures());
            assertThat(r.success()).isFalse();
            assertThat(r.figures().failedChecks()).containsExactly("amcheck");
            assertThat(r.figures().error()).contains(DB + ".public.damaged").contains("block 1");
            assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
            assertThat(RestoreFixture.postgresOn(scratch)).isEmpty();
        } finally {
            RestoreFixture.deleteBackup(id);
            RestoreFixture.psql(DB, "DROP TABLE IF EXISTS damaged");
        }
    }

    @Test
    void pointInTimeWithCanary() throws Exception {
        Path pw = dir.resolve("canary.pw");
        Files.writeString(pw, "canary-it-secret\n");
        // a secret the daemon refuses when others can read it (as the S3 and SMTP ones)
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        RestoreFixture.psql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'barmand_canary') "
                + "THEN CREATE ROLE barmand_canary LOGIN; END IF; END $$");
        RestoreFixture.psql("postgres", "ALTER ROLE barmand_canary PASSWORD 'canary-it-secret'");
        RestoreFixture.psql(DB, "GRANT CREATE ON DATABASE " + DB + " TO barmand_canary");
        String canary = "canary { enabled = true, jdbc-url = \"jdbc:postgresql://127.0.0.1:" + RestoreFixture.PG_PORT + "/" + DB
                + "\", user = barmand_canary, password-file = \"" + pw + "\", database = " + DB + " }\n";
        Settings s0 = RestoreFixture.settings(dir, block(canary));
        Map<String, RestoreSettings> rs = s0.restore();
        // a backup and a switch-wal through the canary hook, as the daemon wires them
        JobService backup = new CanaryHook(new BackupService(RestoreFixture.barman(), s0.servers()), rs, Clock.systemUTC());
        JobService switchWal = new CanaryHook(new SwitchWalService(RestoreFixture.barman()), rs, Clock.systemUTC());
        assertThat(backup.execute(RestoreFixture.SERVER, s0.servers().get(RestoreFixture.SERVER).job(io.barmand.config.JobKind.BACKUP))
                .success()).isTrue();
        Canary c = new Canary(rs.get(RestoreFixture.SERVER).canary());
        Thread.sleep(1500);
        long before = c.write(Instant.now(), "it");
        Thread.sleep(1500);
        Instant target = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Thread.sleep(1500);
        long after = c.write(Instant.now(), "it");
        // the WAL holding the commit after the target must be archived, or recovery never reaches the target
        assertThat(switchWal.execute(RestoreFixture.SERVER, s0.servers().get(RestoreFixture.SERVER).job(io.barmand.config.JobKind.SWITCH_WAL))
                .success()).isTrue();

        Settings s = RestoreFixture.settings(dir, block(canary + "target = \"time:" + target + "\""));
        JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
        System.out.println("point in time " + target + " (canary " + before + " before, " + after + " after): " + r.figures());
        assertThat(r.success()).as(r.figures().toString()).isTrue();
        assertThat(r.figures().facts().text("target")).contains("time:" + target);
        assertThat(r.figures().facts().seconds("canary-before-target")).hasValueSatisfying(t -> assertThat(t).isNotNegative());
        assertThat(r.figures().facts().instant("recovery-point")).hasValueSatisfying(t -> assertThat(t).isBeforeOrEqualTo(target));

        // end of WAL: the newest canary (written by the switch-wal hook) is restored and its age reported
        Settings e = RestoreFixture.settings(dir, block(canary));
        JobService.Result re = RestoreFixture.service(e).execute(RestoreFixture.SERVER, RestoreFixture.job(e));
        System.out.println("end of WAL with canary: " + re.figures());
        assertThat(re.success()).as(re.figures().toString()).isTrue();
        assertThat(re.figures().facts().seconds("canary-age")).hasValueSatisfying(t -> assertThat(t).isNotNegative());
        assertThat(re.figures().facts().instant("canary-newest")).isPresent();
    }

    @Test
    void noBackupYetFailsNamingIt() throws IOException {
        Settings s = RestoreFixture.settings(dir, block("backup-id = \"20200101T000000\""));
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s)));
        assertThat(t).isInstanceOf(BarmandException.class).hasMessageContaining("20200101T000000");
        assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
    }

    @Test
    void foreignScratchFolderIsRefusedAndLeftAlone() throws IOException {
        Path foreign = scratch.resolve(RestoreFixture.SERVER);
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("PG_VERSION"), "15\n");
        Settings s = RestoreFixture.settings(dir, block(""));
        JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
        assertThat(r.success()).isFalse();
        assertThat(r.figures().failedChecks()).containsExactly("refused");
        assertThat(r.figures().error()).contains("not barmand's");
        assertThat(foreign.resolve("PG_VERSION")).hasContent("15");
    }

    @Test
    void takenPortIsRefused() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int p = taken.getLocalPort();
            Settings s = RestoreFixture.settings(dir, block("port-range = \"" + p + "\""));
            JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
            assertThat(r.success()).isFalse();
            assertThat(r.figures().failedChecks()).containsExactly("refused");
            assertThat(r.figures().error()).contains("no free port", Integer.toString(p));
            assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        }
    }

    @Test
    void shortDiskIsRefused() throws IOException {
        Settings s = RestoreFixture.settings(dir, block("disk-margin = 1000000"));
        JobService.Result r = RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s));
        assertThat(r.success()).isFalse();
        assertThat(r.figures().failedChecks()).containsExactly("refused");
        assertThat(r.figures().error()).contains("not enough free disk");
    }

    @Test
    void timeoutStopsAndRemovesTheScratchInstance() throws IOException {
        // the instance is up and a query hangs when the timeout strikes
        Settings s = RestoreFixture.settings(dir, block("timeout = 10s\n"
                + "verify.assertions = [{ name = slow, query = \"SELECT pg_sleep(60)::text\", expect = \"\" }]"));
        assertThatThrownBy(() -> RestoreFixture.service(s).execute(RestoreFixture.SERVER, RestoreFixture.job(s)))
                .isInstanceOfSatisfying(BarmandException.class, e -> assertThat(e.category()).isEqualTo(Category.TIMEOUT));
        assertThat(scratch.resolve(RestoreFixture.SERVER)).doesNotExist();
        assertThat(RestoreFixture.postgresOn(scratch)).isEmpty();
    }
}
