package io.barmand.restore;

import io.barmand.testing.ItServerLock;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.retention.RetentionService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * barmand's retention against real Barman 3.4 and PostgreSQL 15 (server itrestore), through a {@code barman.binary}
 * wrapper that logs every call: a tier's keep is Barman's {@code standalone} keep, deleted backups are gone from
 * {@code barman -f json list-backups} (each delete seen by the wrapper), Barman keeps the WAL behind a standalone backup
 * until that backup goes, barmand's keep is released when no tier wants it, an admin's keep is never touched (nor
 * one an admin took over barmand's), and a backup under a running restore test is not deleted.
 */
@ResourceLock(ItServerLock.ITRESTORE)
@ResourceLock(ItServerLock.CLUSTER)
@ExtendWith(ItServerLock.class)
class RetentionIT {
    static final ObjectMapper JSON = new ObjectMapper();
    Path dir;

    @BeforeAll
    static void fixture() {
        RestoreFixture.barmanConf();
        RestoreFixture.ensureDatabase("retentionit");
    }

    @BeforeEach
    void dirs() throws IOException {
        dir = Files.createTempDirectory(Path.of("/var/tmp"), "barmand-retention-it-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void clean() throws IOException {
        for (ProcessHandle p : RestoreFixture.postgresOn(dir)) {
            p.destroyForcibly();
        }
        Scratch.deleteTree(dir);
    }

    /**
     * The configuration: restore tests into DIR/scratch, and retention on with this local policy and
     * minimum-redundancy 2, max-deletes-per-run 50.
     */
    Settings settings(String local, String restoreExtra) throws IOException {
        return RestoreFixture.settings(dir, "scratch-dir = \"" + dir.resolve("scratch") + "\"\ntimeout = 10m\n"
                + "port-range = \"54360-54379\"\n" + restoreExtra + "\n}\nretention {\nenabled = true\n"
                + "minimum-redundancy = 2\nmax-deletes-per-run = 50\nlocal {\n" + local + "\n}\n");
    }

    RetentionService service(Settings s) {
        return service(s, Clock.systemUTC());
    }

    /**
     * The service with a {@code barman.binary} wrapper, as an admin's {@code sudo -u barman} or venv one: it logs its
     * argv to DIR/barman-calls.log, then execs Barman. Every Barman call of retention goes through it.
     */
    RetentionService service(Settings s, Clock clock) {
        return new RetentionService(wrapped(), null, s.servers(), io.barmand.bucket.S3Store::new,
                (server, id) -> List.of(), RestoreKeeps.in(s.stateDir()), s.stateDir(), clock);
    }

    io.barmand.barman.BarmanClient wrapped() {
        Path w = dir.resolve("barman-wrapper");
        try {
            Files.writeString(w, "#!/bin/sh\necho \"$@\" >> " + dir.resolve("barman-calls.log") + "\nexec /usr/bin/barman \"$@\"\n");
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new io.barmand.barman.BarmanClient(RestoreFixture.RUNNER, w, java.util.Optional.of(RestoreFixture.barmanConf()));
    }

    /** The wrapper's calls of {@code barman SUBCOMMAND ... itrestore ID} ("--" before the arguments or not). */
    List<String> wrapperCalls(String subcommand, String id) throws IOException {
        Path log = dir.resolve("barman-calls.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().filter(l -> l.matches(".*\\b" + subcommand + "\\b.* (-- )?"
                + RestoreFixture.SERVER + " " + id + "$")).toList();
    }

    /** A clock 1h less 1s after the newest backup's end: a 1h window holds the newest backup only. */
    static Clock windowOfTheNewest() {
        long end = RestoreFixture.barman().listBackups(RestoreFixture.SERVER, Duration.ofMinutes(1)).stream()
                .mapToLong(b -> b.endTimeEpoch()).max().orElseThrow();
        return Clock.fixed(java.time.Instant.ofEpochSecond(end).plus(Duration.ofHours(1)).minusSeconds(1),
                java.time.ZoneOffset.UTC);
    }

    JobService.Result run(RetentionService svc, Settings s, boolean allowMassDelete) {
        RunOptions o = allowMassDelete ? RunOptions.NONE.withAllowMassDelete() : RunOptions.NONE;
        JobService.Result r = svc.execute(RunContext.of(RestoreFixture.SERVER, s.servers().get(RestoreFixture.SERVER)
                .job(JobKind.RETENTION), o));
        System.out.println("retention: " + r.success() + " " + r.figures().detail() + " | " + r.figures().error());
        return r;
    }

    /**
     * Barman's own word on each backup, from {@code barman -f json list-backups} and {@code barman -f json keep
     * --status}: id -> "standalone", "full" or "nokeep". (Without a Barman retention_policy, list-backups' own
     * retention_status is "-" for every backup, kept or not.)
     */
    static Map<String, String> barmanList() throws IOException {
        String conf = RestoreFixture.barmanConf().toString();
        var r = RestoreFixture.RUNNER.run(List.of("barman", "-c", conf, "-f", "json", "list-backups", RestoreFixture.SERVER),
                Duration.ofMinutes(1));
        assertThat(r.ok()).as(r.stderrTail()).isTrue();
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode b : JSON.readTree(r.stdout()).path(RestoreFixture.SERVER)) {
            String id = b.path("backup_id").asText();
            var k = RestoreFixture.RUNNER.run(List.of("barman", "-c", conf, "-f", "json", "keep", "--status",
                    RestoreFixture.SERVER, id), Duration.ofMinutes(1));
            assertThat(k.ok()).as(k.stderrTail()).isTrue();
            m.put(id, JSON.readTree(k.stdout()).path(RestoreFixture.SERVER).path("keep_status").path("message").asText());
        }
        return m;
    }

    static long walOnDisk() throws IOException {
        Path wals = RestoreFixture.barmanConf().getParent().resolve("home").resolve(RestoreFixture.SERVER).resolve("wals");
        try (Stream<Path> s = Files.walk(wals)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}.*"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void tiersMarkStandaloneDeletesShrinkTheArchiveAndReleasesFollowWhileAnAdminsKeepStays() throws Exception {
        // four backups, with WAL between them
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RestoreFixture.psql("retentionit", "CREATE TABLE IF NOT EXISTS t(i int); INSERT INTO t SELECT generate_series(1, 20000)");
            ids.add(RestoreFixture.backup());
        }
        List<String> all = new ArrayList<>(barmanList().keySet());
        all.sort(null);
        String oldest = all.get(0);
        String newest = all.get(all.size() - 1);
        assertThat(newest).isEqualTo(ids.get(4));
        // an admin's keep on the newest but two: never released, never deleted
        String admins = all.get(all.size() - 3);
        RestoreFixture.barman().keep(RestoreFixture.SERVER, admins, "full", Duration.ofMinutes(1));
        Map<String, String> before = barmanList();
        try {
            // a 1h window holding the newest backup (and the one before, its base); keep-daily 1: today's newest is
            // the window's, so the tier keeps the oldest backup (borg's rule), standalone; the rest goes
            Settings s = settings("recovery-window = 1h\nkeep-daily = 1\nkeep-weekly = 0\nkeep-monthly = 0\n"
                    + "keep-yearly = 0", "");
            Clock clock = windowOfTheNewest();
            RetentionService svc = service(s, clock);
            // a plan first: nothing is touched
            RetentionService.Plans plan = svc.plans(RestoreFixture.SERVER, true, Duration.ofMinutes(2));
            io.barmand.retention.PlanText.table(plan.local()).forEach(l -> System.out.println("plan: " + l));
            assertThat(barmanList()).isEqualTo(before);
            long walBefore = walOnDisk();

            JobService.Result r = run(svc, s, true);
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            Map<String, String> after = barmanList();
            assertThat(after).containsKeys(oldest, admins, newest, all.get(all.size() - 2));
            assertThat(after.get(oldest)).isEqualTo("standalone");
            assertThat(after.get(admins)).isEqualTo("full");
            List<String> gone = all.stream().filter(id -> !id.equals(oldest) && !id.equals(admins)
                    && !id.equals(newest) && !id.equals(all.get(all.size() - 2))).toList();
            assertThat(gone).isNotEmpty();
            assertThat(after.keySet()).doesNotContainAnyElementsOf(gone);
            RunFigures f = r.figures();
            assertThat(f.facts().text("deleted-backups").orElse("")).contains(gone.get(0));
            // every delete went through barman.binary (the wrapper), as `barman delete SERVER ID`
            for (String id : gone) {
                assertThat(wrapperCalls("delete", id)).as("the wrapper saw the delete of %s", id).hasSize(1);
            }
            assertThat(f.facts().text("standalone-backups")).contains(oldest);
            assertThat(dir.resolve("state/retention-keeps/" + RestoreFixture.SERVER + "@" + oldest + ".keep")).exists();
            // `barman delete` (Barman 3.4, backup.py should_remove_wals, skip_wal_cleanup_if_standalone=True) removes
            // no WAL while an older backup is keep:standalone: the WAL after the standalone backup stays until it goes
            long walBefore2 = walOnDisk();
            System.out.println("WAL on disk with the oldest backup standalone: " + walBefore + " -> " + walBefore2
                    + " bytes; facts " + f.facts());
            assertThat(walBefore2).isGreaterThanOrEqualTo(walBefore);

            // no tier any more: barmand's standalone keep is released and its backup deleted; the admin's stays
            Settings s2 = settings("recovery-window = 1h\nkeep-daily = 0\nkeep-weekly = 0\nkeep-monthly = 0\n"
                    + "keep-yearly = 0", "");
            JobService.Result r2 = run(service(s2, clock), s2, true);
            assertThat(r2.success()).as(String.valueOf(r2.figures())).isTrue();
            Map<String, String> after2 = barmanList();
            assertThat(after2).doesNotContainKey(oldest).containsKeys(admins, newest);
            assertThat(after2.get(admins)).isEqualTo("full");
            assertThat(r2.figures().facts().text("released-backups")).contains(oldest);
            assertThat(dir.resolve("state/retention-keeps/" + RestoreFixture.SERVER + "@" + oldest + ".keep")).doesNotExist();
            assertThat(wrapperCalls("delete", oldest)).hasSize(1);
            assertThat(wrapperCalls("keep --release", oldest)).hasSize(1);
            // the standalone backup deleted, as the oldest: Barman removes the WAL up to the next backup's begin,
            // the WAL it held behind it included
            long walAfter2 = walOnDisk();
            System.out.println("WAL on disk after the oldest backup went: " + walBefore2 + " -> " + walAfter2 + " bytes");
            assertThat(walAfter2).isLessThan(walBefore2);
            assertThat(r2.figures().facts().bytes("wal-after").orElseThrow())
                    .isLessThan(r2.figures().facts().bytes("wal-before").orElseThrow());
        } finally {
            // the fixture's Barman outlives this test: no keep of it is left behind
            for (String id : List.of(admins, oldest)) {
                if (barmanList().getOrDefault(id, "nokeep").equals("nokeep")) {
                    continue;
                }
                RestoreFixture.barman().releaseKeep(RestoreFixture.SERVER, id, Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void anAdminsFullKeepOverBarmandsStandaloneKeepSurvivesTheNextRun() throws Exception {
        for (int i = 0; i < 3; i++) {
            RestoreFixture.psql("retentionit", "CREATE TABLE IF NOT EXISTS t(i int); INSERT INTO t SELECT generate_series(1, 20000)");
            RestoreFixture.backup();
        }
        List<String> all = new ArrayList<>(barmanList().keySet());
        all.sort(null);
        String oldest = all.get(0);
        Path note = dir.resolve("state/retention-keeps/" + RestoreFixture.SERVER + "@" + oldest + ".keep");
        try {
            // barmand keeps the oldest standalone (keep-daily 1, borg's oldest rule) and notes it
            Settings s = settings("recovery-window = 1h\nkeep-daily = 1\nkeep-weekly = 0\nkeep-monthly = 0\n"
                    + "keep-yearly = 0", "");
            Clock clock = windowOfTheNewest();
            JobService.Result r = run(service(s, clock), s, true);
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            assertThat(barmanList().get(oldest)).isEqualTo("standalone");
            assertThat(note).exists();
            // an admin keeps it for good, over barmand's keep
            var k = RestoreFixture.RUNNER.run(List.of("barman", "-c", RestoreFixture.barmanConf().toString(), "keep",
                    "--target", "full", RestoreFixture.SERVER, oldest), Duration.ofMinutes(1));
            assertThat(k.ok()).as(k.stderrTail()).isTrue();
            assertThat(barmanList().get(oldest)).isEqualTo("full");
            // no tier wants it any more: barmand's own keep would be released and the backup deleted; an admin's is a rail
            Settings s2 = settings("recovery-window = 1h\nkeep-daily = 0\nkeep-weekly = 0\nkeep-monthly = 0\n"
                    + "keep-yearly = 0", "");
            RetentionService svc = service(s2, clock);
            var d = svc.plans(RestoreFixture.SERVER, true, Duration.ofMinutes(2)).local().decision(oldest);
            System.out.println("admin's keep: " + d);
            assertThat(d.has(io.barmand.retention.Reason.Rule.ADMIN_KEEP)).isTrue();
            JobService.Result r2 = run(svc, s2, true);
            assertThat(r2.success()).as(String.valueOf(r2.figures())).isTrue();
            assertThat(barmanList()).containsEntry(oldest, "full");
            assertThat(note).doesNotExist();
            assertThat(r2.figures().facts().text("keep-notes-dropped")).contains(oldest);
            assertThat(wrapperCalls("keep --release", oldest)).isEmpty();
            assertThat(wrapperCalls("delete", oldest)).isEmpty();
        } finally {
            if (!barmanList().getOrDefault(oldest, "nokeep").equals("nokeep")) {
                RestoreFixture.barman().releaseKeep(RestoreFixture.SERVER, oldest, Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void aBackupUnderARunningRestoreTestIsNotDeleted() throws Exception {
        String older = RestoreFixture.backup();
        RestoreFixture.backup();
        RestoreFixture.backup();
        // the restore test's keeps, as the wiring gives them to retention
        Settings s = settings("recovery-window = off\nkeep-daily = 0\nkeep-weekly = 0\nkeep-monthly = 0\n"
                + "keep-yearly = 0", "backup-id = \"" + older + "\"");
        RestoreTestService test = new RestoreTestService(RestoreFixture.barman(), RestoreFixture.RUNNER, s.restore(),
                Clock.systemUTC(), Map.of(), io.barmand.bucket.S3Store::new, RestoreKeeps.in(s.stateDir()));
        var running = CompletableFuture.supplyAsync(() -> test.execute(RestoreFixture.SERVER, RestoreFixture.job(s)));
        try {
            Awaitility.await().atMost(Duration.ofMinutes(2)).until(() ->
                    RestoreFixture.barman().keepStatus(RestoreFixture.SERVER, older, Duration.ofMinutes(1)).equals("full"));
            RetentionService svc = service(s);
            RetentionService.Plans plan = svc.plans(RestoreFixture.SERVER, true, Duration.ofMinutes(2));
            var d = plan.local().decision(older);
            System.out.println("under test: " + d);
            assertThat(d.verdict().deletes()).isFalse();
            assertThat(d.reasons()).anyMatch(x -> x.rule() == io.barmand.retention.Reason.Rule.IN_USE);
            JobService.Result r = run(svc, s, true);
            assertThat(r.success()).as(String.valueOf(r.figures())).isTrue();
            assertThat(barmanList()).containsKey(older);
            JobService.Result t = running.get(10, TimeUnit.MINUTES);
            assertThat(t.success()).as(String.valueOf(t.figures())).isTrue();
            // the test over and its keep released, the next run deletes it
            JobService.Result r2 = run(svc, s, true);
            assertThat(r2.success()).as(String.valueOf(r2.figures())).isTrue();
            assertThat(barmanList()).doesNotContainKey(older);
        } finally {
            running.cancel(true);
        }
    }
}
