package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import io.barmand.vocabulary.RestoreSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreSettingsTest {
    @TempDir
    Path tmp;

    Settings settings(String restoreBlock) throws IOException {
        return server("restore-test { " + restoreBlock + " }");
    }

    Settings server(String pg1) throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n"
                + "  defaults.restore-test { pg-bin-dir = \"" + fakePgBin() + "\" }\n"
                + "  servers { pg1 { " + pg1 + " }, pg2 {} }\n}\n");
        return Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2"));
    }

    Path fakePgBin() throws IOException {
        Path bin = tmp.resolve("pgbin");
        Files.createDirectories(bin);
        for (String t : new String[] {"pg_ctl", "pg_amcheck", "pg_verifybackup", "pg_checksums"}) {
            Path p = bin.resolve(t);
            Files.writeString(p, "#!/bin/sh\n");
            p.toFile().setExecutable(true);
        }
        return bin;
    }

    @Test
    void defaultsAndOverrides() throws IOException {
        Map<String, RestoreSettings> m = (settings("""
                target = "time:2026-11-24T01:00:00+01:00", port-range = "6000-6010", keep-on-failure = true
                verify { tables = ["app:public.orders"], assertions = [{ name = n, database = app, query = "SELECT 1", expect = "1" }] }
                canary { enabled = true, jdbc-url = "jdbc:postgresql://db1:5432/app", user = c }
                """)).restore();
        RestoreSettings pg1 = m.get("pg1");
        assertThat(pg1.target().kind()).isEqualTo("time");
        assertThat(pg1.target().time()).contains(Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(pg1.portFrom()).isEqualTo(6000);
        assertThat(pg1.portTo()).isEqualTo(6010);
        assertThat(pg1.keepOnFailure()).isTrue();
        assertThat(pg1.verify().assertions()).singleElement().satisfies(a -> assertThat(a.database()).isEqualTo("app"));
        assertThat(pg1.canary().enabled()).isTrue();
        assertThat(pg1.canary().qualified()).isEqualTo("\"barmand\".\"canary\"");
        RestoreSettings pg2 = m.get("pg2");
        assertThat(pg2.target()).isEqualTo(RestoreSettings.Target.END);
        assertThat(pg2.backupId()).isEqualTo("latest");
        assertThat(pg2.scratchDir()).isEqualTo(Path.of("/var/lib/barmand/scratch"));
        assertThat(pg2.verify().amcheck()).isTrue();
        assertThat(pg2.canary().enabled()).isFalse();
        assertThat(pg2.runAs()).isEqualTo("barman");
    }

    @Test
    void relativeTarget() throws IOException {
        RestoreSettings pg1 = settings("target = \"ago:30m\"").restore().get("pg1");
        Instant now = Instant.parse("2026-11-24T02:00:00Z");
        assertThat(pg1.target().timeAt(now)).contains(Instant.parse("2026-11-24T01:30:00Z"));
        assertThat(pg1.target().ago()).contains(Duration.ofMinutes(30));
    }

    @Test
    void everyProblemNamesItsKey() throws IOException {
        Throwable t = catchThrowable(() -> settings("""
                source = "ftp", target = "yesterday", run-as = root, port-range = "80-70", disk-margin = 0.5
                scratch-dir = "relative", verify.tables = ["orders"], verify.assertions = [{ name = x }]
                canary { enabled = true, jdbc-url = "postgres://x" }
                """));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).category()).isEqualTo(Category.CONFIG);
        String k = "barmand.servers.pg1.restore-test.";
        assertThat(t.getMessage()).contains(k + "source: must be \"barman\" or \"s3\", is \"ftp\"", k + "target:", k + "run-as:",
                k + "port-range:", k + "disk-margin:", k + "scratch-dir:", k + "verify.tables: \"orders\"",
                k + "verify.assertions[0].query: missing", k + "canary.jdbc-url:");
        assertThat(t.getMessage()).doesNotContain("pg2");
    }

    @Test
    void s3SourceNeedsTheServersOffsiteCopy() throws IOException {
        assertThat(catchThrowable(() -> settings("source = \"s3\""))).isInstanceOf(BarmandException.class)
                .hasMessageContaining("barmand.servers.pg1.restore-test.source: \"s3\" reads the server's offsite copy, but "
                        + "barmand.servers.pg1.offsite.enabled is false");
        Settings with = server("restore-test { source = \"s3\" }, offsite { enabled = true, bucket = \"b\" }");
        assertThat(with.restore().get("pg1").source()).isEqualTo(RestoreSource.S3);
        assertThat(catchThrowable(() -> server("restore-test { source = \"s3\", scratch-host.host = \"h\" }, offsite { enabled = true, bucket = \"b\" }")))
                .hasMessageContaining("barmand.servers.pg1.restore-test.source: \"s3\" restores on this host only");
    }

    static final String OFFSITE = "offsite { enabled = true, bucket = \"b\" }";

    @Test
    void aDailyTestFromBarmanAndAWeeklyOneFromS3() throws IOException {
        Settings s = server("restore-test { schedule = \"0 0 3 * * ?\", s3.schedule = \"0 0 4 ? * SUN\" }, " + OFFSITE);
        ServerSettings pg1 = s.servers().get("pg1");
        assertThat(pg1.restore().source()).isEqualTo(RestoreSource.BARMAN);
        assertThat(pg1.restoreFromS3()).contains(new Schedule("0 0 4 ? * SUN", java.time.ZoneId.of("UTC")));
        assertThat(pg1.schedules(JobKind.RESTORE_TEST)).extracting(JobSchedule::name, x -> x.source().orElseThrow().id(),
                x -> x.schedule().expression()).containsExactly(
                org.assertj.core.groups.Tuple.tuple("restore-test", "barman", "0 0 3 * * ?"),
                org.assertj.core.groups.Tuple.tuple("restore-test-s3", "s3", "0 0 4 ? * SUN"));
        assertThat(pg1.scheduledRestoreSources()).containsExactly(RestoreSource.BARMAN, RestoreSource.S3);
        // off by default: one schedule, the job's own; pg2 has none at all
        assertThat(s.servers().get("pg2").restoreFromS3()).isEmpty();
        assertThat(s.servers().get("pg2").schedules(JobKind.RESTORE_TEST)).isEmpty();
        // the weekly one alone (the daily off) is a schedule too, and needs the binaries
        ServerSettings weekly = server("restore-test { s3.schedule = \"0 0 4 ? * SUN\" }, " + OFFSITE).servers().get("pg1");
        assertThat(weekly.schedules()).filteredOn(x -> x.kind() == JobKind.RESTORE_TEST).extracting(JobSchedule::name)
                .containsExactly("restore-test-s3");
        assertThat(catchThrowable(() -> server("restore-test { s3.schedule = \"0 0 4 ? * SUN\", pg-bin-dir = \""
                + tmp.resolve("nowhere") + "\" }, " + OFFSITE)))
                .hasMessageContaining("barmand.servers.pg1.restore-test.pg-bin-dir: " + tmp.resolve("nowhere/pg_ctl"));
    }

    @Test
    void theScheduleFromS3IsRefusedWhereItCannotRunWithItsKeyAndLine() {
        Throwable off = catchThrowable(() -> settings("s3.schedule = \"0 0 4 ? * SUN\""));
        assertThat(off).isInstanceOf(BarmandException.class).hasMessageContaining("barmand.servers.pg1.restore-test.s3.schedule: "
                + "a restore test from the offsite copy, but barmand.servers.pg1.offsite.enabled is false").hasMessageContaining("(line ");
        assertThat(((BarmandException) off).category()).isEqualTo(Category.CONFIG);
        assertThat(catchThrowable(() -> server("restore-test { source = \"s3\", s3.schedule = \"0 0 4 ? * SUN\" }, " + OFFSITE)))
                .hasMessageContaining("barmand.servers.pg1.restore-test.s3.schedule: is the second schedule, from S3, of a "
                        + "restore test whose source is already \"s3\"");
        assertThat(catchThrowable(() -> server("restore-test { s3.schedule = \"0 0 4 ? * SUN\", scratch-host.host = \"h\" }, " + OFFSITE)))
                .hasMessageContaining("barmand.servers.pg1.restore-test.s3.schedule: a restore test from S3 runs on this host only");
        assertThat(catchThrowable(() -> server("restore-test { s3.schedule = \"weekly\" }, " + OFFSITE)))
                .hasMessageContaining("barmand.servers.pg1.restore-test.s3.schedule = \"weekly\"");
        assertThat(catchThrowable(() -> server("restore-test { s3.shedule = \"0 0 4 ? * SUN\" }, " + OFFSITE)))
                .hasMessageContaining("barmand.servers.pg1.restore-test.s3.shedule: unknown key");
    }

    @Test
    void binariesAreRequiredOnlyWhereRestoreTestsAreScheduled() throws IOException {
        String missing = "pg-bin-dir = \"" + tmp.resolve("nowhere") + "\"";
        assertThat(settings(missing).restore().get("pg1").pgBinDir()).isEqualTo(tmp.resolve("nowhere"));
        assertThat(catchThrowable(() -> settings(missing + ", schedule = \"0 0 5 ? * SUN\"")))
                .hasMessageContaining("barmand.servers.pg1.restore-test.pg-bin-dir: " + tmp.resolve("nowhere/pg_ctl"));
    }

    @Test
    void unknownKeyInTheBlockIsACoreConfigError() {
        Throwable t = catchThrowable(() -> settings("scratch-folder = \"/x/y\""));
        assertThat(t).isInstanceOf(BarmandException.class)
                .hasMessageContaining("barmand.servers.pg1.restore-test.scratch-folder: unknown key");
    }
}
