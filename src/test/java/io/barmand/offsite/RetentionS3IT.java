package io.barmand.offsite;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static io.barmand.offsite.ItShell.RUN;
import static io.barmand.offsite.ItShell.psql;
import static io.barmand.offsite.ItShell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.barman.BarmanClient;
import io.barmand.bucket.Layout;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.job.JobService;
import io.barmand.job.RunOptions;
import io.barmand.restore.RestoreTestService;
import io.barmand.retention.RetentionService;
import io.barmand.retention.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.ResourceLock;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Retention with offsite on, against real Barman 3.4, PostgreSQL 15 and S3Proxy (server itoffsite): a backup not yet
 * copied offsite is not deleted; expired copies and the WAL older than the oldest kept copy are gone from the
 * bucket, except a tier's copy and its own WAL; the copies kept still pass {@code offsite verify --download} and a
 * restore test from S3.
 */
@ResourceLock(ItServerLock.ITOFFSITE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RetentionS3IT {
    static final String ACCESS = "retention-it";
    static final String SECRET = "retention-it-secret";
    static final String SERVER = "itoffsite";

    @RegisterExtension
    static final S3ProxyExtension S3 = S3ProxyExtension.builder().withCredentials(ACCESS, SECRET).build();

    static String backup(Path conf, int n) throws Exception {
        psql("CREATE TABLE IF NOT EXISTS retention_proof (id int, note text); INSERT INTO retention_proof SELECT g, 'b"
                + n + "' FROM generate_series(1, 2000) g");
        psql("SELECT pg_switch_wal()");
        String out = run(Duration.ofMinutes(5), "barman", "-c", conf.toString(), "-f", "json", "backup", "--wait", SERVER);
        return new ObjectMapper().readTree(out).path("backup_id").asText();
    }

    @Test
    void expiredCopiesAndTheirWalGoTheKeptOnesStayWholeAndAnUncopiedBackupStays() throws Exception {
        String up = run(Duration.ofMinutes(5), "bash", Path.of("src/test/resources/it/offsite-fixture.sh").toAbsolutePath().toString(), "up");
        Path conf = Path.of(up.lines().reduce((a, b) -> b).orElseThrow().strip());
        Path work = Path.of("/var/tmp/barmandit-offsite/retention-" + System.currentTimeMillis());
        Files.createDirectories(work);
        run(Duration.ofSeconds(10), "chmod", "0755", work.toString());
        S3Test.raw(S3.getUri(), ACCESS, SECRET).createBucket(b -> b.bucket("backups"));
        Path creds = S3Test.credentials(work, ACCESS, SECRET);
        Path f = work.resolve("barmand.conf");
        // windows of 1h, the run's clock 2h ahead: every backup is past its window, the newest is its base;
        // s3 keep-daily 1: the oldest copy is kept by the tier (borg's rule), with its own WAL only
        Files.writeString(f, "barmand {\n"
                + "  barman.config-file = \"" + conf + "\"\n"
                + "  state-dir = \"" + work.resolve("state") + "\"\n"
                + "  control-socket = \"" + work.resolve("control.sock") + "\"\n"
                + "  servers { " + SERVER + " {\n"
                + "    offsite { enabled = true, endpoint = \"" + S3.getUri() + "\", bucket = backups, prefix = ret,\n"
                + "              credentials-file = \"" + creds + "\", spool-dir = \"" + work.resolve("spool") + "\" }\n"
                + "    restore-test { source = \"s3\", scratch-dir = \"" + work.resolve("scratch") + "\", timeout = 10m,"
                + " port-range = \"54380-54399\" }\n"
                + "    retention { enabled = true, minimum-redundancy = 1, max-deletes-per-run = 50,\n"
                + "      local { recovery-window = 1h, keep-daily = 0, keep-weekly = 0, keep-monthly = 0, keep-yearly = 0 }\n"
                + "      s3 { recovery-window = 1h, keep-daily = 1, keep-weekly = 0, keep-monthly = 0, keep-yearly = 0 } }\n"
                + "  } }\n}\n");
        Settings settings = Settings.load(f, null);
        BarmanClient barman = new BarmanClient(RUN, settings.barmanBinary(), settings.barmanConfigFile());
        BarmanSource source = BarmanSource.of(barman, Duration.ofMinutes(1));
        OffsiteService copy = new OffsiteService(settings.offsite(), source, S3Store::new, "it", Clock.systemUTC());
        Layout layout = new Layout("ret");
        try {
            // b1..b3 copied, b4 not (its copy "failed"), b5 copied
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                String id = backup(conf, i);
                ids.add(id);
                if (i != 4) {
                    JobService.Result c = copy.execute(io.barmand.testing.Contexts.offsite(SERVER, id));
                    assertThat(c.success()).as(String.valueOf(c.figures())).isTrue();
                }
            }
            List<String> local = barman.listBackups(SERVER, Duration.ofMinutes(1)).stream().map(b -> b.backupId()).toList();
            String b1 = ids.get(0), b2 = ids.get(1), b3 = ids.get(2), b4 = ids.get(3), b5 = ids.get(4);
            S3Store st = new S3Store(settings.offsite().get(SERVER));
            // another tool's objects under wals/, whose last path component looks like a WAL file: never deleted
            List<String> foreign = List.of(layout.wals(SERVER) + "other-tool/000000010000000000000001",
                    layout.wals(SERVER) + "000000010000000000000001",
                    layout.wals(SERVER) + "0000000100000000/archive/000000010000000000000001.zst");
            for (String k : foreign) {
                st.put(k, "not barmand's\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain", java.util.Map.of());
            }
            long walBefore = st.list(layout.wals(SERVER)).size();

            RetentionService svc = new RetentionService(barman, null, settings.servers(), S3Store::new,
                    io.barmand.wiring.Services.copyCheck(settings.offsite()), settings.stateDir(), Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
            RetentionService.Plans plans = svc.plans(SERVER, true, Duration.ofMinutes(2));
            io.barmand.retention.PlanText.table(plans.local()).forEach(l -> System.out.println("local plan: " + l));
            io.barmand.retention.PlanText.table(plans.s3().orElseThrow()).forEach(l -> System.out.println("s3 plan: " + l));
            assertThat(plans.local().decision(b4).verdict()).isEqualTo(Verdict.KEEP);
            assertThat(plans.local().decision(b4).has(io.barmand.retention.Reason.Rule.OFFSITE_UNVERIFIED)).isTrue();

            JobService.Result r = svc.execute(io.barmand.testing.Contexts.of(JobKind.RETENTION, SERVER,
                    RunOptions.NONE.withAllowMassDelete()));
            System.out.println("retention: " + r.figures().detail() + " | " + r.figures().error());
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            // local: the uncopied b4 and the newest b5 stay; the copied older ones go
            List<String> after = barman.listBackups(SERVER, Duration.ofMinutes(1)).stream().map(b -> b.backupId()).toList();
            assertThat(after).contains(b4, b5).doesNotContain(b1, b2, b3);
            assertThat(local).contains(b1, b2, b3);
            // s3: b2 and b3 expired, manifest and objects; b1 kept by the tier, b5 by the window
            for (String gone : List.of(b2, b3)) {
                assertThat(st.list(layout.backup(SERVER, gone))).as("objects of %s", gone).isEmpty();
            }
            for (String kept : List.of(b1, b5)) {
                assertThat(st.head(layout.manifest(SERVER, kept))).as("manifest of %s", kept).isPresent();
            }
            assertThat(r.figures().facts().count("s3-deleted")).contains(2L);
            // the expiries are noted: those backups were copied, no rail holds them locally for want of a copy
            for (String gone : List.of(b2, b3)) {
                assertThat(settings.stateDir().resolve("offsite-expired/" + SERVER + "@" + gone + ".keep")).exists();
            }
            // the WAL older than b5's begin is gone, except b1's own range
            io.barmand.bucket.Manifest m1 = new io.barmand.bucket.Catalog(st).manifest(SERVER, b1).orElseThrow();
            io.barmand.bucket.Manifest m5 = new io.barmand.bucket.Catalog(st).manifest(SERVER, b5).orElseThrow();
            long base = Layout.segmentIndex(m5.beginWal(), m5.segmentSize());
            List<String> left = new ArrayList<>();
            for (S3Object o : st.list(layout.wals(SERVER))) {
                layout.walOf(SERVER, o.key()).filter(n -> n.length() >= 24 && Layout.isSegment(n.substring(0, 24)))
                        .ifPresent(n -> left.add(n.substring(0, 24)));
            }
            System.out.println("WAL objects in the bucket: " + walBefore + " -> " + st.list(layout.wals(SERVER)).size());
            for (String seg : left) {
                long idx = Layout.segmentIndex(seg, m5.segmentSize());
                assertThat(idx >= base || m1.neededWal().contains(seg)).as("WAL %s left", seg).isTrue();
            }
            assertThat(left).containsAll(m1.neededWal());
            for (String k : foreign) {
                assertThat(st.head(k)).as("another tool's %s", k).isPresent();
            }
            assertThat(r.figures().facts().count("s3-wal-deleted")).hasValueSatisfying(n -> assertThat(n).isPositive());
            assertThat(r.figures().facts().count("s3-verified")).contains(2L);
            // the kept copies are whole: downloaded and checked, and a restore test from S3 passes
            for (String kept : List.of(b1, b5)) {
                OffsiteVerifier.Report v = new OffsiteVerifier(st).verify(SERVER, Optional.of(kept), true);
                assertThat(v.problems()).as("verify --download %s", kept).isEmpty();
            }
            RestoreTestService test = new RestoreTestService(barman, RUN, settings.restore(), Clock.systemUTC(),
                    settings.offsite(), S3Store::new);
            JobService.Result t = test.execute(SERVER, settings.servers().get(SERVER).job(JobKind.RESTORE_TEST));
            System.out.println("restore test from s3 after expiry: " + t.figures());
            assertThat(t.success()).as(String.valueOf(t.figures())).isTrue();
            assertThat(t.figures().backupId()).isEqualTo(b5);
            // the next offsite run copies none of the expired WAL again (Barman's archive still has some of it) and
            // sees no gap behind the standalone copy
            JobService.Result again = copy.execute(io.barmand.testing.Contexts.offsite(SERVER, b5));
            System.out.println("offsite after expiry: " + again.figures().detail() + " | " + again.figures().error());
            assertThat(again.success()).as(String.valueOf(again.figures())).isTrue();
            assertThat(again.figures().facts().count("wal-gaps")).contains(0L);
            for (S3Object o : st.list(layout.wals(SERVER))) {
                layout.walOf(SERVER, o.key()).filter(n -> n.length() >= 24 && Layout.isSegment(n.substring(0, 24))).ifPresent(n -> {
                    String seg = n.substring(0, 24);
                    assertThat(Layout.segmentIndex(seg, m5.segmentSize()) >= base || m1.neededWal().contains(seg))
                            .as("WAL %s copied again", seg).isTrue();
                });
            }
            st.close();
        } finally {
            for (var b : barman.listBackups(SERVER, Duration.ofMinutes(1))) {
                RUN.run(List.of("barman", "-c", conf.toString(), "keep", "--release", SERVER, b.backupId()), Duration.ofMinutes(1));
            }
            RUN.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(2));
        }
    }
}
