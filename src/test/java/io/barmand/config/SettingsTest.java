package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path tmp;
    FakeBarman barman;
    final ServerCatalog knowsPg1 = (bin, cf, t) -> Set.of("pg1", "pg2");

    @BeforeEach
    void setUp() {
        barman = new FakeBarman(tmp.resolve("bin"));
    }

    Path conf(String body) throws IOException {
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n" + body + "\n}\n");
        return f;
    }

    BarmandException configError(Path f) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Settings.load(f, knowsPg1));
        assertThat(t).isInstanceOf(BarmandException.class);
        BarmandException e = (BarmandException) t;
        assertThat(e.category()).isEqualTo(Category.CONFIG);
        assertThat(e.exitCode()).isEqualTo(78);
        return e;
    }

    @Test
    void validConfigMergesDefaultsAndOverrides() throws IOException {
        Settings s = Settings.load(conf("""
                defaults.switch-wal.schedule = off
                servers { pg1 { timezone = "Europe/Paris", backup.schedule = "0 30 1 * * ?" }, pg2 {} }
                """), knowsPg1);
        assertThat(s.servers()).containsOnlyKeys("pg1", "pg2");
        ServerSettings pg1 = s.servers().get("pg1");
        assertThat(pg1.timezone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(pg1.job(JobKind.BACKUP).schedule()).contains(new Schedule("0 30 1 * * ?", ZoneId.of("Europe/Paris")));
        assertThat(pg1.job(JobKind.BACKUP).scheduleText()).isEqualTo("0 30 1 * * ?");
        assertThat(pg1.job(JobKind.BACKUP).timeout()).isEqualTo(Duration.ofHours(6));
        assertThat(pg1.job(JobKind.BACKUP).catchUp()).isTrue();
        assertThat(pg1.job(JobKind.SWITCH_WAL).enabled()).isFalse();
        assertThat(s.servers().get("pg2").job(JobKind.BACKUP).scheduleText()).isEqualTo("0 0 2 * * ?");
        assertThat(s.hostJobs().get(JobKind.PRUNE_HISTORY).scheduleText()).isEqualTo("0 30 3 * * ?");
        assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.dump()).contains("pg1").contains("state-dir");
    }

    @Test
    void theShippedExampleIsValid() {
        // conf/barmand.conf with its binary pointed at the fake
        Path example = Path.of("conf/barmand.conf");
        assertThat(example).exists();
        Settings s = Settings.load(example, (bin, cf, t) -> Set.of("pg1"));
        // inert (issue 22): the package's file names no server, so that a first install starts no job on a live Barman
        assertThat(s.servers()).isEmpty();
        assertThat(s.warnings()).anySatisfy(w -> assertThat(w).startsWith("barmand.servers: no server configured: "
                + "barmand schedules no job (the report's included) until a block names a Barman server, e.g. conf/conf.d/pg1.conf"));
        assertThat(s.warnings()).anySatisfy(w -> assertThat(w).startsWith("barmand.mail.to is empty:"));
    }

    @Test
    void theShippedExampleServerBlockUncommentedIsValid() throws IOException {
        // the commented example is one an admin can uncomment as it is
        String text = Files.readString(Path.of("conf/barmand.conf"));
        int from = text.indexOf("  # servers {");
        assertThat(from).isPositive();
        String block = text.substring(from, text.indexOf("  # }\n", from) + "  # }\n".length());
        Path f = tmp.resolve("uncommented.conf");
        Files.writeString(f, text.replace(block, block.replace("  # ", "  ")));
        Settings s = Settings.load(f, (bin, cf, t) -> Set.of("pg1"));
        assertThat(s.servers()).containsOnlyKeys("pg1");
        assertThat(s.servers().get("pg1").job(JobKind.BACKUP).scheduleText()).isEqualTo("0 30 1 * * ?");
        assertThat(s.warnings()).noneMatch(w -> w.contains("no server"));
    }

    @Test
    void unknownKeyIsNamedWithItsFile() throws IOException {
        Path f = conf("shutdown-timout = 10s\nservers { pg1 {} }");
        assertThat(configError(f).getMessage()).contains(f.toString()).contains("barmand.shutdown-timout: unknown key");
    }

    @Test
    void logOutputIsAutoByDefaultAndAWrongOneIsNamedWithItsLine() throws IOException {
        assertThat(Settings.load(conf("servers { pg1 {} }"), knowsPg1).logOutput()).isEqualTo(io.barmand.log.LogOutput.AUTO);
        assertThat(Settings.load(conf("log.output = journal\nservers { pg1 {} }"), knowsPg1).logOutput())
                .isEqualTo(io.barmand.log.LogOutput.JOURNAL);
        Path f = conf("log.output = syslog\nservers { pg1 {} }");
        assertThat(configError(f).getMessage())
                .contains(f + ": barmand.log.output: must be auto, journal or console, is \"syslog\" (line ");
    }

    @Test
    void unknownKeyInsideAServerBlock() throws IOException {
        Path f = conf("servers { pg1 { backup.schedul = \"0 0 1 * * ?\" } }");
        assertThat(configError(f).getMessage()).contains(f + ": barmand.servers.pg1.backup.schedul: unknown key");
    }

    @Test
    void retentionIsOffByDefaultAndItsPoliciesAreReadWithTheirProblemsNamed() throws IOException {
        Settings off = Settings.load(conf("servers { pg1 {} }"), knowsPg1);
        assertThat(off.servers().get("pg1").retention()).isEmpty();
        Settings on = Settings.load(conf("""
                servers { pg1 { timezone = "Europe/Paris", retention { enabled = true, local.keep-monthly = 3 } } }
                """), knowsPg1);
        RetentionSettings rs = on.servers().get("pg1").retention().orElseThrow();
        assertThat(rs.local().keepMonthly()).isEqualTo(3);
        assertThat(rs.local().keepDaily()).isEqualTo(7);
        assertThat(rs.local().recoveryWindow()).contains(Duration.ofDays(7));
        assertThat(rs.local().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(rs.s3()).as("offsite is off").isEmpty();
        assertThat(rs.afterBackup()).isTrue();
        Path f = conf("""
                servers { pg1 { retention { enabled = true, local.keep-daily = -1, minimum-redundancy = lots } },
                          pg2 { retention.schedule = "0 0 4 * * ?" } }
                """);
        String m = configError(f).getMessage();
        assertThat(m).contains("barmand.servers.pg1.retention.local.keep-daily: must be 0 or more, is -1");
        assertThat(m).contains("barmand.servers.pg1.retention.minimum-redundancy = \"lots\": must be a whole number (default: 1)");
        assertThat(m).contains("barmand.servers.pg2.retention.schedule: is set but retention.enabled = false");
    }

    @Test
    void badCronIsNamed() throws IOException {
        Path f = conf("servers { pg1 { check.schedule = \"0 61 * * * ?\" } }");
        assertThat(configError(f).getMessage()).contains(f + ": barmand.servers.pg1.check.schedule = \"0 61 * * * ?\": minute "
                + "\"61\": 61 is out of range (allowed: 0-59) (line 5)");
    }

    @Test
    void badTimeZoneAndBadDurationAreBothReported() throws IOException {
        Path f = conf("servers { pg1 { timezone = \"Mars/Olympus\", backup.timeout = \"soon\" } }");
        String m = configError(f).getMessage();
        assertThat(m).contains("barmand.servers.pg1.timezone").contains("Mars/Olympus");
        assertThat(m).contains("backup.timeout");
    }

    @Test
    void missingBinaryIsNamed() throws IOException {
        Path f = tmp.resolve("b.conf");
        Files.writeString(f, "barmand { barman.binary = \"/nonexistent/barman\", servers { pg1 {} } }");
        assertThat(configError(f).getMessage()).contains(f + ": barmand.barman.binary: /nonexistent/barman does not exist");
    }

    @Test
    void aCommandThatNeverRunsBarmanTakesAFileWithoutIt() throws IOException {
        Path f = tmp.resolve("nobarman.conf");
        Files.writeString(f, "barmand { barman.binary = \"/nonexistent/barman\", barman.config-file = \"/nonexistent/barman.conf\""
                + ", state-dir = \"" + tmp.resolve("state") + "\", servers { pg1 {} } }");
        assertThat(configError(f).getMessage()).contains("barman.binary").contains("barman.config-file");
        assertThat(Settings.loadWithoutBarman(f).servers()).containsOnlyKeys("pg1");
    }

    @Test
    void serverUnknownToBarman() throws IOException {
        Path f = conf("servers { pg9 {} }");
        assertThat(configError(f).getMessage()).contains(f + ": barmand.servers.pg9: Barman does not know server 'pg9'")
                .contains("pg1, pg2");
    }

    @Test
    void serverListComesFromBarmanJson() throws IOException {
        barman.answer("list-servers", "list-servers.json", 0);
        Path f = conf("servers { itpg {}, nosuch {} }");
        var runner = new io.barmand.process.CommandRunner(java.time.Clock.systemUTC(), Duration.ofSeconds(1));
        assertThatThrownBy(() -> Settings.load(f, io.barmand.barman.BarmanClient.catalog(runner)))
                .hasMessageContaining("barmand.servers.nosuch: Barman does not know server 'nosuch' (barman list-servers: itbad, itpg)");
    }

    @Test
    void schedulerLimitsAndTheBackupRetryPolicyHaveTheirDefaults() throws IOException {
        Settings s = Settings.load(conf("servers { pg1 {}, pg2 { backup.retry { max = 0 } } }"), knowsPg1);
        assertThat(s.scheduler()).isEqualTo(new SchedulerSettings(4, Duration.ofSeconds(60), 2, 8));
        assertThat(s.servers().get("pg1").job(JobKind.BACKUP).retry()).isEqualTo(new RetryPolicy(2, Duration.ofMinutes(30)));
        assertThat(s.servers().get("pg2").job(JobKind.BACKUP).retry().max()).isZero();
        assertThat(s.servers().get("pg1").job(JobKind.CHECK).retry()).isEqualTo(RetryPolicy.NONE);
    }

    @Test
    void badSchedulerLimitsAndRetryAreAllNamed() throws IOException {
        Path f = conf("""
                scheduler { max-heavy-runs = 0, threads = 100 }
                servers { pg1 { backup.retry { max = 11, after = -5m } } }
                """);
        String m = configError(f).getMessage();
        assertThat(m).contains("barmand.scheduler.max-heavy-runs: must be between 1 and 64, is 0 (line 5)")
                .contains("barmand.scheduler.threads: must be between 1 and 64, is 100")
                .contains("barmand.servers.pg1.backup.retry.max: must be between 0 and 10, is 11")
                .contains("barmand.servers.pg1.backup.retry.after = -5m: must be a positive duration such as 30s, 5m or 6h (line 6)");
    }

    @Test
    void serverNamesThatAreNoFileNameOrAnOptionAreRefusedAllAtOnce() throws IOException {
        // Barman would know them all: the refusal is barmand's (a name becomes a path in the state dir and an argument)
        ServerCatalog knowsAll = (bin, cf, t) -> Set.of("pg1", "..", ".", "a/b", "-h", "all", "x y");
        Path f = conf("servers {\n  pg1 {}\n  \"..\" {}\n  \".\" {}\n  \"a/b\" {}\n  \"-h\" {}\n  all {}\n  \"x y\" {}\n}");
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Settings.load(f, knowsAll));
        assertThat(t).isInstanceOf(BarmandException.class);
        BarmandException e = (BarmandException) t;
        assertThat(e.exitCode()).isEqualTo(78);
        assertThat(e.getMessage()).contains(f + ": barmand.servers.\"..\": '..' is not a valid server name: it names a folder (line 7)")
                .contains("barmand.servers.\".\": '.' is not a valid server name: it names a folder (line 8)")
                .contains("barmand.servers.\"a/b\": 'a/b' is not a valid server name: letters, digits, '.', '_' and '-' only (line 9)")
                .contains("barmand.servers.-h: '-h' is not a valid server name: it cannot start with '-' (line 10)")
                .contains("barmand.servers.all: 'all' is not a valid server name: a reserved word of Barman (line 11)")
                .contains("'x y' is not a valid server name");
        assertThat(e.getMessage().lines()).hasSize(6);
        // what is allowed: Barman's usual names
        ServerCatalog knows = (bin, cf, t2) -> Set.of("pg-1.main_db", "PG2");
        assertThat(Settings.load(conf("servers { \"pg-1.main_db\" {}, PG2 {} }"), knows).servers()).containsOnlyKeys("pg-1.main_db", "PG2");
    }

    @Test
    void aPasswordInsideTheCanarysJdbcUrlIsMaskedInCheckConfigTheLogAndLastGood() throws IOException {
        Settings s = Settings.load(conf("""
                servers { pg1 { restore-test.canary { enabled = true
                  jdbc-url = "jdbc:postgresql://pg1.example.net:5432/postgres?user=canary&password=s3cret&ssl=true" } }
                  pg2 { restore-test.canary { enabled = true, jdbc-url = "jdbc:postgresql://canary:t0psecret@pg2:5432/postgres" } } }
                """), knowsPg1);
        assertThat(s.dump()).doesNotContain("s3cret").contains("password=********&ssl=true")
                .doesNotContain("t0psecret").contains("//canary:********@pg2:5432/postgres");
        assertThat(s.dumpOneLine()).doesNotContain("s3cret").doesNotContain("t0psecret");
        LastGood.save(s, java.time.Instant.parse("2026-12-07T00:00:00Z"));
        String lastGood = Files.readString(s.stateDir().resolve(LastGood.FILE));
        assertThat(lastGood).doesNotContain("s3cret").doesNotContain("t0psecret").contains("pg1.example.net:5432");
        // the restore test itself still has its URL
        assertThat(s.servers().get("pg1").restore().canary().jdbcUrl()).contains("password=s3cret");
        assertThat(Settings.maskUrl("jdbc:postgresql://pg1:5432/db")).isEqualTo("jdbc:postgresql://pg1:5432/db");
    }

    @Test
    void aCanaryPasswordFileReadableByEveryoneIsRefusedAsTheS3AndSmtpOnesAre() throws IOException {
        Path pw = tmp.resolve("canary.pw");
        Files.writeString(pw, "secret\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path f = conf("servers { pg1 { restore-test.canary { enabled = true, jdbc-url = \"jdbc:postgresql://pg1/postgres\", "
                + "password-file = \"" + pw + "\" } } }");
        assertThat(configError(f).getMessage()).contains("barmand.servers.pg1.restore-test.canary.password-file: " + pw
                + " is readable by everyone: chmod 0640 (owner root, group barman) or 0600");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Settings.load(f, knowsPg1).servers().get("pg1").restore().canary().passwordFile()).contains(pw);
    }

    @Test
    void aHoconIncludeThatIsMissingOrCannotBeReadIsAProblemNotSkipped() throws IOException {
        Files.writeString(tmp.resolve("pg1.conf"), "servers.pg1.backup.timeout = 2h\n");
        Files.createDirectories(tmp.resolve("adir.conf"));
        Path f = conf("include \"pg1.conf\"\ninclude \"gone.conf\"\ninclude file(\"" + tmp.resolve("gone2.conf")
                + "\")\ninclude \"adir.conf\"\nservers { pg1 {} }");
        String m = configError(f).getMessage();
        assertThat(m).contains(f + ": include \"gone.conf\": " + tmp.resolve("gone.conf") + " does not exist (HOCON would skip it silently)")
                .contains(f + ": include file(\"" + tmp.resolve("gone2.conf") + "\"): " + tmp.resolve("gone2.conf") + " does not exist")
                .contains(f + ": include \"adir.conf\": cannot read " + tmp.resolve("adir.conf") + " (not a regular file)");
        assertThat(m.lines()).hasSize(3);
        // what is there is read, and listed with the files read
        Settings s = Settings.load(conf("include \"pg1.conf\"\nservers { pg1 {} }"), knowsPg1);
        assertThat(s.servers().get("pg1").job(JobKind.BACKUP).timeout()).isEqualTo(Duration.ofHours(2));
        assertThat(s.filesRead()).containsExactly(tmp.resolve("barmand.conf"), tmp.resolve("pg1.conf"));
    }

    @Test
    void anIncludeTheUserCannotReadIsAProblem() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        Path secret = tmp.resolve("secret.conf");
        Files.writeString(secret, "servers.pg1.backup.timeout = 2h\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        assertThat(configError(conf("include \"secret.conf\"\nservers { pg1 {} }")).getMessage())
                .contains("include \"secret.conf\": cannot read " + secret + " (permission denied)");
    }

    @Test
    void aConfigurationFileThatIsEndlessOrHugeIsRefusedBeforeItIsRead() throws IOException {
        assertThat(catchConfig(Path.of("/dev/zero"))).isEqualTo("/dev/zero: cannot read the configuration file (not a regular file)");
        Path huge = tmp.resolve("huge.conf");
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            r.setLength(5L * 1024 * 1024); // sparse
        }
        assertThat(catchConfig(huge)).isEqualTo(huge + ": cannot read the configuration file (5242880 bytes, more than the 4 MiB "
                + "a configuration file may hold)");
        assertThat(catchConfig(tmp)).contains("(not a regular file)");
    }

    String catchConfig(Path f) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> Settings.load(f, knowsPg1));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).exitCode()).isEqualTo(78);
        return t.getMessage();
    }

    @Test
    void everyProblemIsCollected() throws IOException {
        Path f = conf("colour = blue\nservers { pg1 { check.schedule = \"bad\", foo = 1 } }");
        String m = configError(f).getMessage();
        assertThat(m.lines()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(m).contains("barmand.colour: unknown key").contains("barmand.servers.pg1.foo: unknown key");
    }

    @Test
    void stopWaitIsSixHoursByDefaultZeroMeansNoWaitAndANegativeOneIsRefused() throws IOException {
        assertThat(Settings.load(conf("servers { pg1 {} }"), knowsPg1).stopWait()).isEqualTo(java.time.Duration.ofHours(6));
        assertThat(Settings.load(conf("stop-wait = 0s\nservers { pg1 {} }"), knowsPg1).stopWait()).isZero();
        assertThat(configError(conf("stop-wait = -5m\nservers { pg1 {} }")).getMessage())
                .contains("barmand.stop-wait = -5m: must be 0s (no wait) or a positive duration such as 30m or 6h (line 5)");
    }

    @Test
    void wrongTypeIsNamed() throws IOException {
        Path f = conf("shutdown-timeout = [1, 2]\nservers { pg1 {} }");
        assertThat(configError(f).getMessage()).contains("shutdown-timeout");
    }

    @Test
    void missingFileIsAConfigError() {
        Path f = tmp.resolve("absent.conf");
        assertThat(configError(f).getMessage()).contains(f.toString()).contains("cannot read");
    }

    @Test
    void syntaxErrorIsAConfigError() throws IOException {
        Path f = tmp.resolve("broken.conf");
        Files.writeString(f, "barmand { servers { pg1 { ");
        assertThat(configError(f).getMessage()).contains(f.toString());
    }

    @Test
    void noServersIsAWarningNotAnError() throws IOException {
        Path f = conf("");
        assertThat(Settings.load(f, (bin, cf, t) -> Set.of("pg1")).warnings())
                .anyMatch(w -> w.startsWith("barmand.servers: no server configured"));
    }

    @Test
    void badMailReportAndMetricsValuesAreAllNamedAtOnce() throws IOException {
        Path secrets = tmp.resolve("smtp.secrets");
        Files.writeString(secrets, "user = x\npassword = y\n");
        Files.setPosixFilePermissions(secrets, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        BarmandException e = configError(conf("""
                  mail { to = ["dba@example.net", "not an address"], transport = "pigeon",
                         smtp { port = 70000, security = "ssl", secrets-file = "%s" }, retry { initial = 5m, max = 1m } }
                  report { window = 0s, trend-days = 400 }
                  health.backup-max-age = "soon"
                  alerts.max-per-hour = 0
                  metrics { listen = "127.0.0.1", textfile = "/tmp/barmand.txt" }
                  servers { pg1 {} }
                """.formatted(secrets)));
        String f = tmp.resolve("barmand.conf") + ": barmand.";
        assertThat(e.getMessage().lines().toList()).contains(
                f + "mail.transport: must be \"smtp\" or \"sendmail\", is \"pigeon\" (line 5)",
                f + "mail.smtp.port: must be between 1 and 65535, is 70000 (line 6)",
                f + "mail.smtp.security: must be \"starttls\", \"tls\" or \"none\", is \"ssl\" (line 6)",
                f + "mail.smtp.secrets-file: " + secrets + " is readable by everyone: chmod 0640 (owner root, group barman) or 0600 (line 6)",
                f + "mail.retry.max: must not be shorter than retry.initial (PT5M) (line 6)",
                f + "report.window: must be positive (line 7)",
                f + "report.trend-days: must be between 1 and 366, is 400 (line 7)",
                f + "health.backup-max-age = \"soon\": must be a duration such as 30s, 5m, 6h or 7d, or \"off\" (default: 26h) (line 8)",
                f + "alerts.max-per-hour: must be between 1 and 1000, is 0 (line 9)",
                f + "metrics.listen: must be ADDRESS:PORT such as \"127.0.0.1:9780\", is \"127.0.0.1\" (line 10)",
                f + "metrics.textfile: must be an absolute path ending in .prom (node_exporter reads only those), is "
                        + "\"/tmp/barmand.txt\" (line 10)");
        assertThat(e.getMessage()).contains("mail.to: \"not an address\" is not a mail address");
    }

    @Test
    void mailIsOffWithoutRecipientsAndTheSenderDefaultsToThisHost() throws IOException {
        Settings s = Settings.load(conf("servers { pg1 {} }"), knowsPg1);
        assertThat(s.mail().enabled()).isFalse();
        assertThat(s.mail().from()).startsWith("barmand@");
        assertThat(s.report().hostName()).isNotBlank();
        assertThat(s.hostJobs()).containsKey(JobKind.REPORT);
        assertThat(s.hostJobs().get(JobKind.REPORT).scheduleText()).isEqualTo("0 0 7 * * ?");
        assertThat(s.metrics()).isEqualTo(MetricsSettings.OFF);
    }
}
