package io.barmand.offsite;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import io.barmand.bucket.S3Store;
import io.barmand.bucket.Layout;
import io.barmand.history.Facts;
import io.barmand.config.OffsiteSettings;
import static io.barmand.offsite.ItShell.RUN;
import static io.barmand.offsite.ItShell.psql;
import static io.barmand.offsite.ItShell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.history.RunFigures;
import io.barmand.restore.RestoreTestService;
import io.barmand.job.JobService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The restore test with {@code source = "s3"}: a real Barman backup of "itoffsite" (PostgreSQL 15, Barman 3.4)
 * copied by the offsite job to S3Proxy, then restored by the restore-test service from the bucket alone (objects
 * and WAL checked against their SHA-256 while they stream), started, promoted and verified. The rows written
 * after the backup come from the WAL in S3. A damaged object fails the test before anything starts.
 */
@ResourceLock(ItServerLock.ITOFFSITE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RestoreTestFromS3IT {
    static final String ACCESS = "s3restore-it";
    static final String SECRET = "s3restore-it-secret";
    static final String SERVER = "itoffsite";

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    @Test
    void restoreTestFromTheCopyInS3WithItsWal() throws Exception {
        String up = run(Duration.ofMinutes(5), "bash", Path.of("src/test/resources/it/offsite-fixture.sh").toAbsolutePath().toString(), "up");
        Path conf = Path.of(up.lines().reduce((a, b) -> b).orElseThrow().strip());
        Path work = Path.of("/var/tmp/barmandit-offsite/s3restore-" + System.currentTimeMillis());
        Files.createDirectories(work);
        run(Duration.ofSeconds(10), "chmod", "0755", work.toString());
        Path scratch = work.resolve("scratch");
        try {
            psql("DROP TABLE IF EXISTS s3restore_proof; CREATE TABLE s3restore_proof (id int, note text);"
                    + " INSERT INTO s3restore_proof SELECT g, 'before' FROM generate_series(1, 1000) g");
            String backup = run(Duration.ofMinutes(5), "barman", "-c", conf.toString(), "-f", "json", "backup", "--wait", SERVER);
            String id = new ObjectMapper().readTree(backup).path("backup_id").asText();
            assertThat(id).matches("[0-9]{8}T[0-9]{6}");
            // rows after the backup: only the WAL in S3 can bring them back
            psql("INSERT INTO s3restore_proof SELECT g, 'after' FROM generate_series(1001, 1500) g");
            String wal = psql("SELECT pg_walfile_name(pg_current_wal_lsn())");
            psql("SELECT pg_switch_wal()");
            BarmanSource source = BarmanSource.of(new io.barmand.barman.BarmanClient(RUN, Path.of("/usr/bin/barman"), Optional.of(conf)), Duration.ofMinutes(1));
            io.barmand.barman.BarmanRecords.ServerPaths paths = source.paths(SERVER);
            Path archived = paths.wals().resolve(wal.substring(0, 16)).resolve(wal);
            for (int i = 0; i < 120 && !Files.exists(archived); i++) {
                RUN.run(List.of("barman", "-c", conf.toString(), "-q", "cron"), Duration.ofMinutes(1));
                Thread.sleep(500);
            }
            assertThat(archived).as("WAL %s archived by Barman", wal).exists();

            // the copy, as the daemon's offsite job does it
            S3Test.raw(S3.getUri(), ACCESS, SECRET).createBucket(b -> b.bucket("backups"));
            Path creds = S3Test.credentials(work, ACCESS, SECRET);
            OffsiteSettings s = io.barmand.testing.TestOffsite.forEndpoint(S3.getUri(), "backups", "proof", work.resolve("spool"))
                    .withCredentialsFile(creds);
            OffsiteService copy = new OffsiteService(Map.of(SERVER, s), source, S3Store::new, "it", Clock.systemUTC());
            JobService.Result c = copy.execute(io.barmand.testing.Contexts.offsite(SERVER, id));
            assertThat(c.success()).as(String.valueOf(c.figures())).isTrue();

            // the restore test, configured as an operator would, reading S3 only
            Path f = work.resolve("barmand.conf");
            Files.writeString(f, "barmand {\n"
                    + "  barman.config-file = \"" + conf + "\"\n"
                    + "  state-dir = \"" + work.resolve("state") + "\"\n"
                    + "  control-socket = \"" + work.resolve("control.sock") + "\"\n"
                    + "  servers { " + SERVER + " {\n"
                    + "    offsite { enabled = true, endpoint = \"" + S3.getUri() + "\", bucket = backups, prefix = proof,\n"
                    + "              credentials-file = \"" + creds + "\", spool-dir = \"" + work.resolve("spool") + "\" }\n"
                    + "    restore-test { source = \"s3\", scratch-dir = \"" + scratch + "\", timeout = 10m, port-range = \"54380-54399\"\n"
                    + "      verify.tables = [\"postgres:public.s3restore_proof\"]\n"
                    + "      verify.assertions = [{ name = after-backup, query = \"SELECT count(*) FROM s3restore_proof WHERE note = 'after'\","
                    + " expect = \"500\" }] }\n"
                    + "  } }\n}\n");
            Settings settings = Settings.load(f, null);
            RestoreTestService svc = new RestoreTestService(new BarmanClient(RUN, settings.barmanBinary(), settings.barmanConfigFile()),
                    RUN, settings.restore(), Clock.systemUTC(),
                    settings.offsite(), S3Store::new);
            JobService.Result r = svc.execute(SERVER, settings.servers().get(SERVER).job(JobKind.RESTORE_TEST));
            RunFigures fig = r.figures();
            System.out.println("restore test from s3: " + fig);
            assertThat(r.success()).as(String.valueOf(fig)).isTrue();
            assertThat(fig.backupId()).isEqualTo(id);
            assertThat(fig.failedChecks()).isEmpty();
            Facts facts = fig.facts();
            assertThat(facts.text("source")).contains("s3");
            assertThat(facts.bytes("downloaded")).hasValueSatisfying(b -> assertThat(b).isPositive());
            assertThat(facts.count("wal-files")).hasValueSatisfying(n -> assertThat(n).isPositive());
            assertThat(facts.seconds("download")).hasValueSatisfying(t -> assertThat(t).isPositive());
            assertThat(facts.seconds("rto")).hasValueSatisfying(t -> assertThat(t).isPositive());
            assertThat(facts.seconds("amcheck")).isPresent();
            assertThat(facts.text("rows")).hasValueSatisfying(t -> assertThat(t).contains("postgres:public.s3restore_proof=1500"));
            assertThat(facts.get("recover")).isEmpty();
            assertThat(fig.detail()).isEqualTo(facts.toText());
            assertThat(scratch.resolve(SERVER)).doesNotExist();

            // a damaged data object: refused while it streams, nothing started
            String dataKey = new Layout("proof").data(SERVER, id, OffsiteSettings.Codec.ZSTD);
            S3Test.raw(S3.getUri(), ACCESS, SECRET).putObject(b -> b.bucket("backups").key(dataKey),
                    RequestBody.fromBytes("not a backup".getBytes()));
            JobService.Result bad = svc.execute(SERVER, settings.servers().get(SERVER).job(JobKind.RESTORE_TEST));
            System.out.println("damaged copy: " + bad.figures());
            assertThat(bad.success()).isFalse();
            assertThat(bad.figures().failedChecks()).containsExactly("download");
            assertThat(bad.figures().error()).contains("SHA-256 MISMATCH " + dataKey);
            assertThat(scratch.resolve(SERVER)).doesNotExist();

            // a backup damaged in Barman's folder before its copy: the copy's SHA-256 sums match what was copied,
            // but the manifest check after unpacking names the damaged file (a free-space map amcheck never reads)
            psql("DROP TABLE IF EXISTS s3restore_fsm; CREATE TABLE s3restore_fsm (id int, v text) WITH (autovacuum_enabled = false);"
                    + " INSERT INTO s3restore_fsm SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
            psql("VACUUM s3restore_fsm");
            String fsm = psql("SELECT pg_relation_filepath('s3restore_fsm')") + "_fsm";
            String backup2 = run(Duration.ofMinutes(5), "barman", "-c", conf.toString(), "-f", "json", "backup", "--wait", SERVER);
            String id2 = new ObjectMapper().readTree(backup2).path("backup_id").asText();
            Path file = paths.basebackups().resolve(id2).resolve("data").resolve(fsm);
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(8192 + 64);
                raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            }
            JobService.Result c2 = copy.execute(io.barmand.testing.Contexts.offsite(SERVER, id2));
            assertThat(c2.success()).as(String.valueOf(c2.figures())).isTrue();
            JobService.Result damaged = svc.execute(SERVER, settings.servers().get(SERVER).job(JobKind.RESTORE_TEST));
            System.out.println("copy of a damaged backup: " + damaged.figures());
            assertThat(damaged.success()).isFalse();
            assertThat(damaged.figures().backupId()).isEqualTo(id2);
            assertThat(damaged.figures().failedChecks()).containsExactly("manifest");
            assertThat(damaged.figures().error()).contains("\"" + fsm + "\"").contains("checksum mismatch");
            assertThat(scratch.resolve(SERVER)).doesNotExist();
            run(Duration.ofMinutes(2), "barman", "-c", conf.toString(), "delete", SERVER, id2);
        } finally {
            RUN.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
        }
    }
}
