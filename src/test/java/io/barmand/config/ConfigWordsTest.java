package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems of the file in barmand's words: key = value, what is allowed, the line; Typesafe's wording never shows. */
class ConfigWordsTest {
    @TempDir
    Path tmp;

    Path conf(String body) throws IOException {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n" + body + "\n}\n");
        return f;
    }

    /** The problems, one a line, each checked for Typesafe's phrases. */
    List<String> problems(Path f) {
        Throwable t = catchThrowable(() -> Settings.load(f, (bin, cf, to) -> Set.of("pg1", "pg2")));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(((BarmandException) t).category()).isEqualTo(Category.CONFIG);
        List<String> l = t.getMessage().lines().toList();
        assertThat(l).allSatisfy(p -> assertThat(p).startsWith(f + ": ")
                .doesNotContain("Invalid value at", "Attempt to construct", "has type", "Wrong value type", "expecting:",
                        "No number in", "hardcoded value"));
        return l;
    }

    @Test
    void aNegativeSizeIsNamedWithWhatIsAllowed() throws IOException {
        Path f = conf("servers { pg1 { offsite { enabled = true, bucket = b, part-size = -8MiB } } }");
        assertThat(problems(f)).containsExactly(f + ": barmand.servers.pg1.offsite.part-size = -8MiB: must be a positive size "
                + "such as 16MiB or 2GiB (default: 64MiB) (line 5)");
    }

    @Test
    void wrongKindsOfValue() throws IOException {
        Path f = conf("""
                kill-grace = soon
                scheduler.threads = "many"
                mail.smtp.port = "twenty-five"
                report.trend-days = [1]
                alerts.enabled = perhaps
                servers { pg1 { restore-test.disk-margin = "big", backup.retry.max = 1.5 } }
                """);
        assertThat(problems(f)).containsExactly(
                f + ": barmand.kill-grace = \"soon\": must be a duration such as 30s, 5m, 6h or 7d (default: 5s) (line 5)",
                f + ": barmand.scheduler.threads = \"many\": must be a whole number (default: 4) (line 6)",
                f + ": barmand.mail.smtp.port = \"twenty-five\": must be a whole number (default: 25) (line 7)",
                f + ": barmand.report.trend-days = [1]: must be a whole number, not a list (line 8)",
                f + ": barmand.alerts.enabled = \"perhaps\": must be true or false (default: true) (line 9)",
                f + ": barmand.servers.pg1.restore-test.disk-margin = \"big\": must be a number such as 1.5 (default: 1.1) (line 10)",
                f + ": barmand.servers.pg1.backup.retry.max = 1.5: must be a whole number (default: 2) (line 10)");
    }

    @Test
    void unknownKeysNameTheNearOneAndComeWithEveryOtherProblemInFileOrder() throws IOException {
        Path f = conf("""
                shutdown-timout = 10s
                history.keep = -3d
                servers {
                  pg1 {
                    backup { schedul = "0 2 * * *", timeout = "6 parsecs" }
                    checks.schedule = off
                    check.schedule = "0 0 2 * * *"
                  }
                }
                """);
        assertThat(problems(f)).containsExactly(
                f + ": barmand.shutdown-timout: unknown key (did you mean shutdown-timeout?) (line 5)",
                f + ": barmand.history.keep = -3d: must be a positive duration such as 30s, 5m or 6h (line 6)",
                f + ": barmand.servers.pg1.backup.schedul: unknown key (did you mean schedule?) (line 9)",
                f + ": barmand.servers.pg1.backup.timeout = 6 parsecs: must be a duration such as 30s, 5m, 6h or 7d (default: 6h) (line 9)",
                f + ": barmand.servers.pg1.checks: unknown key (did you mean check?) (line 10)",
                f + ": barmand.servers.pg1.check.schedule = \"0 0 2 * * *\": day-of-month \"*\" and day-of-week \"*\": in Quartz "
                        + "syntax one of them must be \"?\" (write \"0 0 2 * * ?\"), or write crontab's 5 fields (\"0 2 * * *\" = "
                        + "daily at 02:00) (line 11)");
    }

    @Test
    void aDurationWithoutItsUnitIsRefusedNotTakenAsMilliseconds() throws IOException {
        Path f = conf("""
                servers { pg1 { backup.timeout = 90 } }
                """);
        assertThat(problems(f)).containsExactly(f + ": barmand.servers.pg1.backup.timeout = 90: must be a duration such as "
                + "30s, 5m, 6h or 7d, with its unit (a bare number would be milliseconds) (default: 6h) (line 5)");
    }

    @Test
    void aKeyInTheWrongBlockNamesWhereItBelongs() throws IOException {
        Path f = conf("""
                timezone = "Europe/Paris"
                servers { pg1 { part-size = 16MiB, retry.max = 3 } }
                """);
        // two on one line: in either order
        assertThat(problems(f)).containsExactlyInAnyOrder(
                f + ": barmand.timezone: unknown key (did you mean defaults.timezone?) (line 5)",
                f + ": barmand.servers.pg1.part-size: unknown key (did you mean offsite.part-size?) (line 6)",
                f + ": barmand.servers.pg1.retry: unknown key (did you mean backup.retry?) (line 6)");
        Path g = conf("retry.max = 3\nservers { pg1 {} }");
        assertThat(problems(g)).containsExactly(
                g + ": barmand.retry: unknown key (did you mean defaults.backup.retry or mail.retry?) (line 5)");
    }

    @Test
    void offWhereADurationMustBeIsRefusedInOurWords() throws IOException {
        Path f = conf("""
                kill-grace = off
                health.backup-max-age = off
                servers { pg1 { restore-test.canary.timeout = off, offsite { enabled = true, bucket = b, request-timeout = off } } }
                """);
        assertThat(problems(f)).containsExactly(
                f + ": barmand.kill-grace: must be a duration such as 30s, 5m or 6h (line 5)",
                f + ": barmand.servers.pg1.offsite.request-timeout: must be a positive duration such as 30s, 5m or 6h (line 7)",
                f + ": barmand.servers.pg1.restore-test: the value of line 7 is not one this block takes (see reference.conf) (line 7)");
    }

    @Test
    void aBlockOfTheWrongKindIsNamedAndTheRestStillChecked() throws IOException {
        Path f = conf("report = 3\nservers = [1]");
        assertThat(problems(f)).containsExactly(
                f + ": barmand.report = 3: must be a block { ... }, not a number (line 5)",
                f + ": barmand.servers = [1]: must be a block { ... }, not a list (line 6)");
    }

    @Test
    void anUnknownKeyFarFromAnyIsJustUnknown() throws IOException {
        Path f = conf("colour = red\nservers { pg1 {} }");
        assertThat(problems(f)).containsExactly(f + ": barmand.colour: unknown key (line 5)");
    }

    @Test
    void aFileThatIsNotHoconNamesItsLineOnce() throws IOException {
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  servers { pg1 { backup.timeout = } }\n}\n");
        Throwable t = catchThrowable(() -> Settings.load(f, null));
        assertThat(t).isInstanceOf(BarmandException.class);
        assertThat(t.getMessage()).startsWith(f + ": not valid HOCON: Expecting a value").endsWith("(line 2)");
        assertThat(t.getMessage().split(java.util.regex.Pattern.quote(f.toString()), -1)).hasSize(2);
    }
}
