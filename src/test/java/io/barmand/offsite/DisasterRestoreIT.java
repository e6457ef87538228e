package io.barmand.offsite;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.barmand.offsite.ItShell.RUN;
import static io.barmand.offsite.ItShell.psql;
import static io.barmand.offsite.ItShell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.bucket.Layout;
import io.barmand.bucket.S3Store;
import io.barmand.config.OffsiteSettings;
import io.barmand.process.CommandResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Disaster day: {@code barmand restore} (the packaged jar, as a process) from the offsite copy into a fresh folder,
 * with a barmand.conf whose Barman is not there (no binary that may be run, no Barman configuration), then a fresh
 * PostgreSQL 15 started on the folder as postgres gives back the rows written after the backup: with the WAL
 * downloaded, and with {@code barmand wal-restore} as restore_command (a real process per WAL file, logged and
 * timed by a wrapper that stands for /usr/bin/barmand). A folder that is not empty is refused (64); a damaged
 * object is refused by its SHA-256; a file damaged in Barman's folder before the copy is named by pg_verifybackup;
 * a damaged WAL object stops the recovery (wal-restore --fatal-errors) instead of letting it promote early, and the
 * same folder recovers once the object is good again. And {@code --from barman}: barman recover, started, rows back.
 * The backup is a real one of "itoffsite" (offsite-fixture.sh), copied by the offsite service to S3Proxy.
 */
@ResourceLock(ItServerLock.ITOFFSITE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class DisasterRestoreIT {
    static final String ACCESS = "restorecmd-it";
    static final String SECRET = "restorecmd-it-secret";
    static final String SERVER = "itoffsite";
    static final String BUCKET = "disaster";
    static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");

    /** One S3Proxy for the whole class (the extension's own callbacks would give each test an empty one). */
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    static Path work;
    static Path barmanConf;
    static Path creds;
    static Path jar;
    static String backupId;
    static String afterWal;
    static BarmanSource source;

    record Cli(int exit, String out, String err) {
    }

    @BeforeAll
    static void backupWithRowsAfterItInS3() throws Exception {
        S3.beforeEach(null);
        String up = run(Duration.ofMinutes(5), "bash", Path.of("src/test/resources/it/offsite-fixture.sh").toAbsolutePath().toString(), "up");
        barmanConf = Path.of(up.lines().reduce((a, b) -> b).orElseThrow().strip());
        work = Path.of("/var/tmp/barmand-restorecmd-" + System.currentTimeMillis());
        Files.createDirectories(work);
        run(Duration.ofSeconds(10), "chmod", "0755", work.toString());
        // the jar as the package installs it: readable by postgres, which runs wal-restore; a copy, so that a rebuild
        // during the test does not change it
        jar = work.resolve("barmand.jar");
        Files.copy(Path.of(System.getProperty("barmand.jar")), jar);
        psql("DROP TABLE IF EXISTS restorecmd_proof; CREATE TABLE restorecmd_proof (id int, note text);"
                + " INSERT INTO restorecmd_proof SELECT g, 'before' FROM generate_series(1, 1000) g");
        backupId = backup();
        // rows after the backup: only the WAL can bring them back
        psql("INSERT INTO restorecmd_proof SELECT g, 'after' FROM generate_series(1001, 1500) g");
        afterWal = psql("SELECT pg_walfile_name(pg_current_wal_lsn())");
        psql("SELECT pg_switch_wal()");
        source = BarmanSource.of(new io.barmand.barman.BarmanClient(RUN, Path.of("/usr/bin/barman"), Optional.of(barmanConf)),
                Duration.ofMinutes(1));
        Path archived = source.paths(SERVER).wals().resolve(afterWal.substring(0, 16)).resolve(afterWal);
        for (int i = 0; i < 120 && !Files.exists(archived); i++) {
            RUN.run(List.of("barman", "-c", barmanConf.toString(), "-q", "cron"), Duration.ofMinutes(1));
            Thread.sleep(500);
        }
        assertThat(archived).as("WAL %s archived by Barman", afterWal).exists();
        raw().createBucket(b -> b.bucket(BUCKET));
        creds = S3Test.credentials(work, ACCESS, SECRET);
        // root:postgres 0640: the wal-restore that PostgreSQL runs reads it, nobody else
        run(Duration.ofSeconds(10), "chgrp", "postgres", creds.toString());
        Files.setPosixFilePermissions(creds, PosixFilePermissions.fromString("rw-r-----"));
        copy(backupId, "proof");
    }

    @AfterAll
    static void cleanUp() {
        S3.afterEach(null);
        if (backupId != null) {
            RUN.run(List.of("barman", "-c", barmanConf.toString(), "delete", SERVER, backupId), Duration.ofMinutes(2));
        }
        if (work != null) {
            RUN.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
        }
    }

    /** A new backup of itoffsite; another test run's backup of the same server makes Barman refuse: wait for it. */
    static String backup() throws Exception {
        for (int i = 0; ; i++) {
            CommandResult r = RUN.run(List.of("barman", "-c", barmanConf.toString(), "-f", "json", "backup", "--wait", SERVER),
                    Duration.ofMinutes(5));
            String id = r.ok() ? new ObjectMapper().readTree(r.stdout()).path("backup_id").asText() : "";
            if (id.matches("[0-9]{8}T[0-9]{6}")) {
                return id;
            }
            assertThat(i).as("barman backup: %s %s", r.stdout(), r.stderrTail()).isLessThan(40);
            Thread.sleep(5000);
        }
    }

    static S3Client raw() {
        return S3Test.raw(S3.getUri(), ACCESS, SECRET);
    }

    /** The offsite copy of a backup under {@code prefix}, as the daemon's offsite job makes it. */
    static void copy(String id, String prefix) {
        OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(S3.getUri(), BUCKET, prefix, work.resolve("spool"))
                .withCredentialsFile(creds);
        OffsiteService copy = new OffsiteService(Map.of(SERVER, s), source, S3Store::new, "it", Clock.systemUTC());
        var c = copy.execute(io.barmand.testing.Contexts.offsite(SERVER, id));
        assertThat(c.success()).as(String.valueOf(c.figures())).isTrue();
    }

    /** A barmand.conf for the copy under {@code prefix}; {@code barman} is the barman block. */
    static Path conf(String name, String prefix, String barman) throws IOException {
        Path f = work.resolve(name + ".conf");
        Files.writeString(f, "barmand {\n  " + barman + "\n"
                + "  state-dir = \"" + work.resolve("state") + "\"\n"
                + "  control-socket = \"" + work.resolve("control.sock") + "\"\n"
                + "  servers { " + SERVER + " { offsite { enabled = true, endpoint = \"" + S3.getUri() + "\", bucket = " + BUCKET
                + ", prefix = " + prefix + ", credentials-file = \"" + creds + "\" } } }\n}\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }

    /** A disaster-day file: barman.binary a script that may never run (it says so if it does), no Barman configuration. */
    static Path withoutBarman(String name, String prefix) throws IOException {
        Path tripwire = work.resolve("barman-tripwire");
        if (!Files.exists(tripwire)) {
            Files.writeString(tripwire, "#!/bin/sh\necho \"barman called: $*\" >> " + work.resolve("tripwire.log") + "\nexit 1\n");
            Files.setPosixFilePermissions(tripwire, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return conf(name, prefix, "barman { binary = \"" + tripwire + "\", config-file = \"" + work.resolve("no-such/barman.conf") + "\" }");
    }

    static Cli barmand(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        Cli c = new Cli(p.exitValue(), out.join(), err.join());
        System.out.println("$ barmand " + String.join(" ", args) + "\n" + c.out() + (c.err().isBlank() ? "" : c.err())
                + "(exit " + c.exit() + ")");
        return c;
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static int freePort() {
        for (int p = 54400; p <= 54419; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                if (!Files.exists(Path.of("/var/run/postgresql/.s.PGSQL." + p))) {
                    return p;
                }
            } catch (IOException e) {
                // taken
            }
        }
        throw new IllegalStateException("no free port in 54400-54419");
    }

    /** A fresh PostgreSQL 15 on a restored folder, as the next steps say, on its own socket and port. */
    static final class Restored implements AutoCloseable {
        final Path dir;
        final int port = freePort();
        final Path log;

        Restored(Path dir) {
            this.dir = dir;
            this.log = dir.resolve("barmand-restore.log");
        }

        CommandResult start() {
            run(Duration.ofMinutes(2), "chown", "-R", "postgres:postgres", dir.toString());
            return RUN.run(List.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", dir.toString(),
                    "-l", log.toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=''", "-w", "-t", "300", "start"),
                    Duration.ofMinutes(6));
        }

        String sql(String q) {
            return run(Duration.ofMinutes(1), "runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
                    "-h", dir.toString(), "-p", Integer.toString(port), "-d", "postgres", "-c", q);
        }

        /** Out of recovery: promoted at the end of the WAL. */
        void awaitPromoted() throws InterruptedException {
            for (int i = 0; i < 600; i++) {
                CommandResult r = RUN.run(List.of("runuser", "-u", "postgres", "--", "psql", "-X", "-At", "-h", dir.toString(), "-p",
                        Integer.toString(port), "-d", "postgres", "-c", "SELECT pg_is_in_recovery()"), Duration.ofSeconds(30));
                if (r.ok() && r.stdout().strip().equals("f")) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("not promoted: " + logText());
        }

        String logText() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() {
            if (Files.exists(dir.resolve("postmaster.pid"))) {
                RUN.run(List.of("runuser", "-u", "postgres", "--", PG_BIN.resolve("pg_ctl").toString(), "-D", dir.toString(),
                        "stop", "-m", "fast", "-w", "-t", "60"), Duration.ofMinutes(2));
            }
        }
    }

    static void assertRowsBack(Restored pg) {
        // what the admin sees: the recovery in PostgreSQL's log, then the rows
        System.out.println("PostgreSQL's log, recovery lines:\n" + pg.logText().lines()
                .filter(l -> l.matches(".*(starting PostgreSQL|restored log file|redo (starts|done)|consistent recovery|archive recovery"
                        + "|selected new timeline|ready to accept|FATAL|barmand).*")).map(l -> "  " + l)
                .reduce((a, b) -> a + "\n" + b).orElse(""));
        String after = pg.sql("SELECT count(*) FROM restorecmd_proof WHERE note = 'after'");
        String all = pg.sql("SELECT count(*) FROM restorecmd_proof");
        System.out.println("rows: " + all + ", of them written after the backup: " + after);
        assertThat(after).isEqualTo("500");
        assertThat(all).isEqualTo("1500");
    }

    @Test
    void fromS3WithoutBarmanThenAFreshPostgresqlHasTheRowsWrittenAfterTheBackup() throws Exception {
        Path conf = withoutBarman("download", "proof");
        Path dir = work.resolve("download/pgdata");
        Cli c = barmand(Map.of(), "restore", "--config", conf.toString(), SERVER, "--to", dir.toString());
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.out()).contains("backup " + backupId + " of " + SERVER + " from s3://" + BUCKET + "/proof/" + SERVER + "/base/")
                .contains("SHA-256 as in the manifest")
                .contains("downloaded into barmand-wal/, each checked against its SHA-256")
                .contains("pg_verifybackup: every file as in backup_manifest")
                .contains("recovery: restore_command = 'cp \"barmand-wal/%f\" \"%p\"', target: the end of the WAL, then promote")
                .contains("restored " + SERVER + " backup " + backupId + " into " + dir)
                .contains("chown -R postgres:postgres " + dir)
                .contains(PG_BIN.resolve("pg_ctl") + " -D " + dir);
        assertThat(work.resolve("tripwire.log")).as("Barman was never run").doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(dir.resolve("recovery.signal")).exists();
        assertThat(dir.resolve("barmand-wal").resolve(afterWal)).exists();
        assertThat(dir.resolve("BARMAND-RESTORE-INCOMPLETE")).doesNotExist();

        try (Restored pg = new Restored(dir)) {
            CommandResult st = pg.start();
            assertThat(st.ok()).as("pg_ctl start: %s\n%s", st.stderrTail(), pg.logText()).isTrue();
            pg.awaitPromoted();
            assertRowsBack(pg);
            assertThat(pg.logText()).contains("restored log file \"" + afterWal + "\" from archive");
            // recovery_end_command removed the downloaded WAL once the recovery was over
            assertThat(dir.resolve("barmand-wal")).doesNotExist();
        }
    }

    @Test
    void withWalRestoreAsRestoreCommandEachWalFileIsFetchedByItsOwnProcess() throws Exception {
        // no Barman at all on this "host": its binary is not there
        Path conf = conf("fetch", "proof", "barman { binary = \"/nonexistent/barman\", config-file = \"/nonexistent/barman.conf\" }");
        // stands for /usr/bin/barmand (the package's launcher): the packaged jar, each call logged with its time
        Path calls = work.resolve("wal-restore-calls.log");
        Files.writeString(calls, "");
        run(Duration.ofSeconds(10), "chown", "postgres", calls.toString());
        Path launcher = work.resolve("bin/barmand");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\nt0=$(date +%s%N)\n" + Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar " + jar + " \"$@\"\nrc=$?\nt1=$(date +%s%N)\n"
                + "echo \"$(( (t1 - t0) / 1000000 )) ms exit $rc: $*\" >> " + calls + "\nexit $rc\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        run(Duration.ofSeconds(10), "chmod", "0755", launcher.getParent().toString());
        Path dir = work.resolve("fetch/pgdata");
        Cli c = barmand(Map.of("BARMAND_LAUNCHER", launcher.toString()), "restore", "--config", conf.toString(), SERVER, "--to",
                dir.toString(), "--wal", "fetch");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.out()).contains("left there: barmand wal-restore fetches and checks each one as PostgreSQL asks for it")
                .contains("restore_command = '\"" + launcher + "\" wal-restore --config \"" + conf + "\" --fatal-errors \"" + SERVER
                        + "\" %f \"%p\"'")
                .contains("user postgres runs barmand wal-restore during the recovery: it must read " + conf + " and " + creds);
        assertThat(dir.resolve("barmand-wal")).doesNotExist();

        try (Restored pg = new Restored(dir)) {
            CommandResult st = pg.start();
            assertThat(st.ok()).as("pg_ctl start: %s\n%s", st.stderrTail(), pg.logText()).isTrue();
            pg.awaitPromoted();
            assertRowsBack(pg);
        }
        List<String> lines = Files.readAllLines(calls);
        System.out.println("wal-restore as restore_command:\n" + String.join("\n", lines));
        List<String> fetched = lines.stream().filter(l -> l.contains(" exit 0: wal-restore ")).toList();
        // one process per file, each for one name; the segment with the rows after the backup among them
        assertThat(fetched).allMatch(l -> l.matches("\\d+ ms exit 0: wal-restore --config \\S+ --fatal-errors " + SERVER
                + " [0-9A-F]{24}(\\.history)? pg_wal/RECOVERY(XLOG|HISTORY)"));
        // every segment from the backup's begin WAL (its backup_label, kept as backup_label.old) to the one with the
        // rows after the backup, each by its own call
        String label = Files.readString(dir.resolve("backup_label.old"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)").matcher(label);
        assertThat(m.find()).as(label).isTrue();
        List<String> names = fetched.stream().map(l -> l.split(" ")[9]).toList();
        long seg = 16L << 20;
        for (long i = Layout.segmentIndex(m.group(1), seg); i <= Layout.segmentIndex(afterWal, seg); i++) {
            assertThat(names).contains(Layout.segmentName(1, i, seg));
        }
        // PostgreSQL probed for what is not there (the next segment, a newer timeline's history): exit 1
        assertThat(lines).anyMatch(l -> l.contains(" exit 1: wal-restore "));
        assertThat(lines).noneMatch(l -> l.matches("\\d+ ms exit (?!0|1:).*"));
        List<Long> ms = lines.stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).sorted().toList();
        System.out.printf(Locale.ROOT, "wal-restore per call (java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar, no class-data "
                + "archive): %d calls, %d fetched, median %d ms, min %d ms, max %d ms%n", ms.size(), fetched.size(),
                ms.get(ms.size() / 2), ms.get(0), ms.get(ms.size() - 1));
    }

    @Test
    void aFolderInUseIsRefusedAndADamagedCopyIsNamed() throws Exception {
        Path conf = withoutBarman("refuse", "proof");
        Path used = work.resolve("used/pgdata");
        Files.createDirectories(used);
        Files.writeString(used.resolve("PG_VERSION"), "15\n");
        Cli refused = barmand(Map.of(), "restore", "--config", conf.toString(), SERVER, "--to", used.toString());
        assertThat(refused.exit()).isEqualTo(64);
        assertThat(refused.err()).contains(used + " is not empty");
        try (var l = Files.list(used)) {
            assertThat(l.toList()).containsExactly(used.resolve("PG_VERSION"));
        }

        // a damaged object in the bucket: its SHA-256 refuses it
        copy(backupId, "damaged");
        String dataKey = new Layout("damaged").data(SERVER, backupId, OffsiteSettings.Codec.ZSTD);
        raw().putObject(b -> b.bucket(BUCKET).key(dataKey), RequestBody.fromBytes("not a backup".getBytes(StandardCharsets.US_ASCII)));
        Path dir = work.resolve("damaged/pgdata");
        Cli bad = barmand(Map.of(), "restore", "--config", withoutBarman("damaged", "damaged").toString(), SERVER, "--to", dir.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("SHA-256 MISMATCH " + dataKey).contains(dir + " is NOT usable");
        assertThat(Files.readString(dir.resolve("BARMAND-RESTORE-INCOMPLETE"))).startsWith("FAILED: ").contains("SHA-256 MISMATCH");
        assertThat(dir.resolve("recovery.signal")).doesNotExist();
        assertThat(work.resolve("tripwire.log")).doesNotExist();

        // a file damaged in Barman's folder before the copy: the copy's sums match what was copied, pg_verifybackup
        // against the backup's own backup_manifest names the file (a free-space map, that nothing else reads)
        psql("DROP TABLE IF EXISTS restorecmd_fsm; CREATE TABLE restorecmd_fsm (id int, v text) WITH (autovacuum_enabled = false);"
                + " INSERT INTO restorecmd_fsm SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
        psql("VACUUM restorecmd_fsm");
        String fsm = psql("SELECT pg_relation_filepath('restorecmd_fsm')") + "_fsm";
        String id2 = backup();
        try {
            Path file = source.paths(SERVER).basebackups().resolve(id2).resolve("data").resolve(fsm);
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(8192 + 64);
                raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            }
            copy(id2, "pgdamage");
        } finally {
            run(Duration.ofMinutes(2), "barman", "-c", barmanConf.toString(), "delete", SERVER, id2);
        }
        Path dir2 = work.resolve("pgdamage/pgdata");
        Cli verify = barmand(Map.of(), "restore", "--config", withoutBarman("pgdamage", "pgdamage").toString(), SERVER, "--to",
                dir2.toString(), "--backup-id", id2);
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("SHA-256 as in the manifest");
        assertThat(verify.err()).contains("pg_verifybackup: the restored files differ").contains("\"" + fsm + "\"")
                .contains("checksum mismatch").contains(dir2 + " is NOT usable");
        assertThat(dir2.resolve("recovery.signal")).doesNotExist();
    }

    @Test
    void aDamagedWalObjectStopsTheRecoveryRatherThanPromotingWithoutTheRowsAfterIt() throws Exception {
        copy(backupId, "waldamage");
        Path conf = conf("waldamage", "waldamage", "barman { binary = \"/nonexistent/barman\" }");
        Path launcher = work.resolve("bin2/barmand");
        Files.createDirectories(launcher.getParent());
        Files.writeString(launcher, "#!/bin/sh\nexec " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar " + jar + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        run(Duration.ofSeconds(10), "chmod", "0755", launcher.getParent().toString());
        Path dir = work.resolve("waldamage/pgdata");
        Cli c = barmand(Map.of("BARMAND_LAUNCHER", launcher.toString()), "restore", "--config", conf.toString(), SERVER, "--to",
                dir.toString(), "--wal", "fetch");
        assertThat(c.exit()).as(c.err()).isZero();
        // the segment with the rows after the backup, damaged after the restore (its sha256 kept in its metadata)
        String key = new Layout("waldamage").wal(SERVER, afterWal, ".zst");
        ResponseBytes<GetObjectResponse> good = raw().getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
        raw().putObject(b -> b.bucket(BUCKET).key(key).metadata(good.response().metadata()),
                RequestBody.fromBytes("damaged".getBytes(StandardCharsets.US_ASCII)));
        try (Restored pg = new Restored(dir)) {
            CommandResult st = pg.start();
            assertThat(st.ok()).as("PostgreSQL must not come up without the damaged WAL").isFalse();
            assertThat(pg.logText()).contains("SHA-256 MISMATCH " + key).contains("recovery stops")
                    .contains("could not restore file \"" + afterWal + "\" from archive")
                    .doesNotContain("database system is ready to accept connections");
            assertThat(dir.resolve("recovery.signal")).as("still to recover").exists();
            // the object good again: the same folder recovers, rows and all
            raw().putObject(b -> b.bucket(BUCKET).key(key).metadata(good.response().metadata()), RequestBody.fromBytes(good.asByteArray()));
            CommandResult again = pg.start();
            assertThat(again.ok()).as("pg_ctl start: %s\n%s", again.stderrTail(), pg.logText()).isTrue();
            pg.awaitPromoted();
            assertRowsBack(pg);
        }
    }

    @Test
    void fromBarmanThroughBarmanRecover() throws Exception {
        Path conf = conf("barman", "proof", "barman.config-file = \"" + barmanConf + "\"");
        Path dir = work.resolve("barman/pgdata");
        Cli c = barmand(Map.of(), "restore", "--config", conf.toString(), SERVER, "--to", dir.toString(), "--from", "barman",
                "--backup-id", backupId);
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.out()).contains("backup " + backupId + " of " + SERVER + " from Barman")
                .contains("barman recover " + SERVER + " " + backupId + " " + dir)
                .contains("restored " + SERVER + " backup " + backupId + " into " + dir);
        try (Restored pg = new Restored(dir)) {
            CommandResult st = pg.start();
            assertThat(st.ok()).as("pg_ctl start: %s\n%s", st.stderrTail(), pg.logText()).isTrue();
            pg.awaitPromoted();
            assertRowsBack(pg);
        }
    }
}
