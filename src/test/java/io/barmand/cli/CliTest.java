package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunJson;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.testing.FakeBarman;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    @TempDir
    Path tmp;
    Path conf;
    FakeBarman fake;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeBarman(tmp.resolve("bin")).answer("list-servers", "list-servers.json", 0);
        conf = tmp.resolve("barmand.conf");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { itpg { backup.schedule = "0 30 1 * * ?" } }
                }
                """.formatted(fake.script(), tmp.resolve("state"), tmp.resolve("c.sock")));
    }

    /** Empties out and err: the next run's output alone. */
    CliTest fresh() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return this;
    }

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    void seed() {
        Instant t = Instant.parse("2025-11-24T01:30:00Z");
        try (RunStore s = RunStore.open(tmp.resolve("state"), true)) {
            s.recordDaemonStart(t.minusSeconds(3600), "test");
            long b = s.start("itpg", "backup", Trigger.SCHEDULED, t);
            s.finish(b, Outcome.SUCCESS, t.plusSeconds(8), 8123,
                    new RunFigures("20261124T013000", 23191918L, 2956231L, List.of(), null, "copy 7.8s"));
            long c = s.start("itpg", "check", Trigger.MANUAL, t.plusSeconds(60));
            s.finish(c, Outcome.FAILED, t.plusSeconds(61), 300,
                    new RunFigures(null, null, null, List.of("wal_archive"), "failed checks: wal_archive", null));
            s.skipped("itpg", "check", Trigger.SCHEDULED, t.plusSeconds(2), "server itpg busy: backup (run 1) running since x");
        }
    }

    @Test
    void historyJsonFollowsTheContract() throws Exception {
        seed();
        assertThat(run("history", "--config", conf.toString(), "--json")).isZero();
        JsonNode a = RunJson.MAPPER.readTree(out.toString());
        assertThat(a.isArray()).isTrue();
        assertThat(a).hasSize(3);
        JsonNode newest = a.get(0);
        assertThat(newest.path("outcome").asText()).isEqualTo("skipped");
        JsonNode backup = a.get(2);
        List<String> fields = new java.util.ArrayList<>();
        backup.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "server", "job", "trigger", "started", "ended", "outcome", "durationMs",
                "backupId", "sizeBytes", "throughputBytesPerSec", "failedChecks", "error", "detail", "requested", "waitedMs",
                "attempt", "facts");
        assertThat(backup.path("backupId").asText()).isEqualTo("20261124T013000");
        assertThat(backup.path("sizeBytes").asLong()).isEqualTo(23191918L);
        assertThat(backup.path("started").asText()).isEqualTo("2025-11-24T01:30:00Z");
        assertThat(backup.path("error").isNull()).isTrue();
        assertThat(a.get(1).path("failedChecks").get(0).asText()).isEqualTo("wal_archive");
    }

    @Test
    void historyFiltersAndText() {
        seed();
        assertThat(run("history", "--config", conf.toString(), "--server", "itpg", "--job", "backup")).isZero();
        assertThat(out.toString()).contains("ID  SERVER  JOB").contains("20261124T013000 22.1 MiB 2.8 MiB/s")
                .doesNotContain("wal_archive");
        out.getBuffer().setLength(0);
        assertThat(run("history", "--config", conf.toString(), "--limit", "1")).isZero();
        assertThat(out.toString().lines()).hasSize(2);
    }

    @Test
    void historyWithoutAStoreIsEmpty() throws Exception {
        assertThat(run("history", "--config", conf.toString(), "--json")).isZero();
        assertThat(RunJson.MAPPER.readTree(out.toString())).isEmpty();
    }

    @Test
    void statusShowsLastRunsNextFireAndLastBackup() throws Exception {
        seed();
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).containsPattern("itpg +backup +daily at 01:30 UTC ").contains("success")
                .containsPattern("itpg +check +every 15 minutes ")
                .contains("itpg: last backup 20261124T013000 (22.1 MiB), finished 2025-11-24 01:30:08 UTC")
                .containsPattern("daemon: NOT running: the barmand daemon is not reachable at \\S+ .*: is it running")
                .contains("no job runs until it is started");
        out.getBuffer().setLength(0);
        assertThat(run("status", "--config", conf.toString(), "--json")).isZero();
        assertThat(RunJson.MAPPER.readTree(out.toString()).path("daemon").path("answering").asBoolean(true)).isFalse();
        JsonNode s = RunJson.MAPPER.readTree(out.toString()).path("servers").get(0);
        assertThat(s.path("server").asText()).isEqualTo("itpg");
        assertThat(s.path("lastBackup").path("backupId").asText()).isEqualTo("20261124T013000");
        assertThat(s.path("lastBackup").path("ageSeconds").asLong()).isGreaterThanOrEqualTo(0);
        JsonNode check = s.path("jobs").get(0);
        assertThat(check.path("job").asText()).isEqualTo("check");
        assertThat(check.path("schedule").asText()).isEqualTo("0 */15 * * * ?");
        assertThat(check.path("scheduleInWords").asText()).isEqualTo("every 15 minutes");
        assertThat(check.path("lastRun").path("outcome").asText()).isEqualTo("skipped");
        assertThat(check.path("nextFire").asText()).isNotEmpty();
    }

    @Test
    void statusSaysFirstThatTheDaemonRunsWithItsPidSinceAndVersionAndThenTheNextRuns() throws Exception {
        seed();
        try (io.barmand.control.ControlServer daemon = new io.barmand.control.ControlServer(tmp.resolve("c.sock"), null)) {
            daemon.start();
            assertThat(fresh().run("status", "--config", conf.toString())).isZero();
            String o = out.toString();
            assertThat(o.lines().findFirst().orElseThrow())
                    .startsWith("daemon: running, pid " + ProcessHandle.current().pid() + ", since ")
                    .containsPattern("since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ \\(up [0-9dhms ]+\\), version ");
            // next runs are shown, as "in 5m" (narrow) or exactly (--wide)
            assertThat(o).contains("NEXT RUN").containsPattern("itpg +check +every 15 minutes .* in \\d+m");
            assertThat(fresh().run("status", "--config", conf.toString(), "--json")).isZero();
            JsonNode d = RunJson.MAPPER.readTree(out.toString()).path("daemon");
            assertThat(d.path("answering").asBoolean()).isTrue();
            assertThat(d.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(Instant.parse(d.path("since").asText())).isBefore(Instant.now());
            assertThat(d.path("version").asText()).isNotEmpty();
        }
    }

    @Test
    void statusOfOneServerShowsItAloneAndAnUnknownOneIsAUsageErrorWithTheNearName() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("servers { itpg {", "servers { other {}, itpg {"));
        seed();
        assertThat(fresh().run("status", "itpg", "--config", conf.toString())).isZero();
        assertThat(out.toString()).containsPattern("itpg +backup ").doesNotContain("other ").doesNotContain("prune-history");
        assertThat(fresh().run("status", "itpg", "--json", "--config", conf.toString())).isZero();
        JsonNode root = RunJson.MAPPER.readTree(out.toString());
        assertThat(root.path("servers")).singleElement().satisfies(s -> assertThat(s.path("server").asText()).isEqualTo("itpg"));
        assertThat(root.path("hostJobs")).isEmpty();

        assertThat(fresh().run("status", "itgp", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("unknown server 'itgp'").contains("itpg").contains("known: itpg, other");
    }

    @Test
    void statusFitsOneHundredTwentyColumnsAndWideShowsEverything() throws Exception {
        seed();
        try (RunStore s = RunStore.open(tmp.resolve("state"), true)) {
            long id = s.start("itpg", "verify", Trigger.SCHEDULED, Instant.parse("2025-11-24T05:00:00Z"));
            s.finish(id, Outcome.FAILED, Instant.parse("2025-11-24T05:00:09Z"), 9000, new RunFigures(null, null, null,
                    List.of(), "barman verify-backup exited 1: " + "a long complaint from pg_verifybackup ".repeat(8), null));
        }
        assertThat(fresh().run("status", "--config", conf.toString())).isEqualTo(1);
        assertThat(out.toString().lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(120));
        assertThat(out.toString()).contains("a long complaint").contains("...");
        assertThat(fresh().run("status", "--wide", "--config", conf.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("a long complaint from pg_verifybackup a long complaint from")
                .containsPattern("itpg +verify +daily at 05:00 UTC +2025-11-24 05:00:00 UTC +scheduled +failed +9s ");
        assertThat(out.toString().lines().mapToInt(String::length).max().orElse(0)).isGreaterThan(120);
    }

    @Test
    void crontabSchedulesAreTakenAndShownInWords() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("backup.schedule = \"0 30 1 * * ?\"",
                "timezone = \"Europe/Paris\", backup.schedule = \"30 1 * * *\", restore-test.schedule = \"0 4 * * 0\""));
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).containsPattern("itpg +backup +daily at 01:30 Europe/Paris ")
                .containsPattern("itpg +restore-test +weekly on Sunday at 04:00 Europe/Paris ");
        out.getBuffer().setLength(0);
        assertThat(run("status", "--config", conf.toString(), "--json")).isZero();
        JsonNode jobs = RunJson.MAPPER.readTree(out.toString()).path("servers").get(0).path("jobs");
        JsonNode backup = null;
        for (JsonNode j : jobs) {
            if (j.path("job").asText().equals("backup")) {
                backup = j;
            }
        }
        assertThat(backup.path("schedule").asText()).isEqualTo("30 1 * * *");
        assertThat(backup.path("scheduleInWords").asText()).isEqualTo("daily at 01:30 Europe/Paris");
        java.time.ZonedDateTime next = java.time.Instant.parse(backup.path("nextFire").asText()).atZone(java.time.ZoneId.of("Europe/Paris"));
        assertThat(next.getHour()).isEqualTo(1);
        assertThat(next.getMinute()).isEqualTo(30);
    }

    @Test
    void jobsThatFollowEachBackupSaySoInsteadOfOff() throws Exception {
        Path creds = tmp.resolve("s3.credentials");
        Files.writeString(creds, "[default]\naws_access_key_id = a\naws_secret_access_key = b\n");
        Files.setPosixFilePermissions(creds, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(conf, Files.readString(conf).replace("backup.schedule = \"0 30 1 * * ?\"",
                "backup.schedule = \"0 30 1 * * ?\", offsite { enabled = true, bucket = b, credentials-file = \"" + creds
                        + "\", schedule = \"0 * * * *\" }, retention.enabled = true"));
        assertThat(run("status", "--wide", "--config", conf.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("itpg +offsite +hourly at :00, and after each backup ")
                .containsPattern("itpg +retention +after each backup ")
                .containsPattern("itpg +verify +daily at ");
        out.getBuffer().setLength(0);
        assertThat(run("status", "--config", conf.toString(), "--json")).isZero();
        for (JsonNode j : RunJson.MAPPER.readTree(out.toString()).path("servers").get(0).path("jobs")) {
            if (j.path("job").asText().equals("retention")) {
                assertThat(j.path("scheduleInWords").asText()).isEqualTo("after each backup");
                assertThat(j.path("nextFire").isNull()).isTrue();
            }
        }
    }

    @Test
    void checkConfigPrintsTheEffectiveConfig() {
        assertThat(run("check-config", "--config", conf.toString())).isZero();
        assertThat(out.toString()).contains("OK, 1 server(s): itpg").contains("itpg");
    }

    @Test
    void aBadConfigExits78NamingFileAndKey() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("servers {", "colour = red\n  servers {"));
        assertThat(run("check-config", "--config", conf.toString())).isEqualTo(78);
        assertThat(err.toString()).contains("barmand: " + conf + ": barmand.colour: unknown key");
    }

    @Test
    void checkConfigReportsEveryProblemOfTheFileAtOnce() throws Exception {
        // a bad cron, offsite on without a bucket, a bad restore target and a server Barman does not know
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers {
                    itpg { backup.schedule = "0 0 2 * * *", offsite.enabled = true, restore-test.target = "yesterday" }
                    nosuch {}
                  }
                }
                """.formatted(fake.script(), tmp.resolve("state"), tmp.resolve("c.sock")));
        assertThat(run("check-config", "--config", conf.toString())).isEqualTo(78);
        String e = err.toString();
        assertThat(e).contains(conf + ": barmand.servers.itpg.backup.schedule = \"0 0 2 * * *\": day-of-month \"*\" and "
                        + "day-of-week \"*\": in Quartz syntax one of them must be \"?\" (write \"0 0 2 * * ?\")")
                .contains(conf + ": barmand.servers.itpg.offsite.bucket: must be set when offsite.enabled = true")
                .contains(conf + ": barmand.servers.itpg.restore-test.target:")
                .contains(conf + ": barmand.servers.nosuch: Barman does not know server 'nosuch'");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkConfigWarnsOfNoServerAndOfAnEmptyMailToButSaysOk() throws Exception {
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                }
                """.formatted(fake.script(), tmp.resolve("state")));
        assertThat(run("check-config", "--config", conf.toString())).isZero();
        assertThat(out.toString()).startsWith("# " + conf + ": OK, 0 server(s): ");
        assertThat(err.toString()).contains("barmand: warning: barmand.servers: no server configured: barmand schedules no job")
                .contains("barmand: warning: barmand.mail.to is empty: reports are kept in " + tmp.resolve("state/reports")
                        + " only, and no alert is mailed");
        err.getBuffer().setLength(0);
        out.getBuffer().setLength(0);
        Files.writeString(conf, Files.readString(conf).replace("}\n", "servers { itpg {} }\nmail.to = [\"dba@example.net\"]\n}\n"));
        assertThat(run("check-config", "--config", conf.toString())).isZero();
        assertThat(err.toString()).doesNotContain("warning: barmand.");
    }

    @Test
    void reportBeforeTheDaemonsFirstStartSaysNothingHasRunYetInsteadOfExiting69() throws Exception {
        Path history = tmp.resolve("state").resolve(RunStore.FILE);
        assertThat(run("report", "--config", conf.toString())).as(err.toString()).isZero();
        assertThat(err.toString()).contains("barmand: no run recorded yet: barmand has not started on this host ("
                + history + " does not exist)");
        assertThat(out.toString()).contains("itpg");
        assertThat(run("report", "--format", "json", "--config", conf.toString())).isZero();
        assertThat(out.toString()).contains("\"itpg\"");
        // read only: the CLI made no history of its own
        assertThat(history).doesNotExist();
    }

    @Test
    void runNowWithoutADaemonExits69() {
        assertThat(run("run-now", "check", "itpg", "--config", conf.toString())).isEqualTo(69);
        assertThat(err.toString()).startsWith("barmand: the barmand daemon is not reachable at " + tmp.resolve("c.sock"))
                .contains(": is it running? (systemctl status barmand)").doesNotContain("barmand: barmand");
    }

    @Test
    void switchXlogIsTheOldNameOfSwitchWal() {
        // taken as a job: it reaches the (absent) daemon instead of being refused
        assertThat(run("run-now", "switch-xlog", "itpg", "--config", conf.toString())).isEqualTo(69);
        Instant t = Instant.parse("2025-11-24T01:30:00Z");
        try (RunStore s = RunStore.open(tmp.resolve("state"), true)) {
            long w = s.start("itpg", "switch-wal", Trigger.SCHEDULED, t);
            s.finish(w, Outcome.SUCCESS, t.plusSeconds(1), 900, new RunFigures(null, null, null, List.of(), null, "switched"));
            long c = s.start("itpg", "check", Trigger.SCHEDULED, t);
            s.finish(c, Outcome.SUCCESS, t.plusSeconds(1), 300, new RunFigures(null, null, null, List.of(), null, null));
        }
        out.getBuffer().setLength(0);
        assertThat(run("history", "--config", conf.toString(), "--job", "switch-xlog", "--json")).isZero();
        assertThat(out.toString()).contains("\"job\" : \"switch-wal\"").doesNotContain("\"check\"");
    }

    @Test
    void anUnknownJobNamesTheNearOne() {
        assertThat(run("run-now", "bakup", "itpg", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("unknown job 'bakup' (did you mean backup?): one of check, switch-wal, backup");
        assertThat(run("history", "--job", "chek", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("unknown job 'chek' (did you mean check?)");
    }

    @Test
    void usageErrorsExit64() {
        assertThat(run("run-now", "restore-everything", "itpg", "--config", conf.toString())).isEqualTo(64);
        assertThat(run("history", "--limit", "many")).isEqualTo(64);
        assertThat(run()).isEqualTo(64);
    }

    @Test
    void runNowRestoreTestOptionsAreCheckedBeforeAskingTheDaemon() {
        // no daemon here: 69 would mean the options passed
        assertThat(run("run-now", "restore-test", "itpg", "--target", "yesterday", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("--target: must be", "end-of-wal", "time:2026-11-24T01:00:00Z", "ago:30m",
                "lsn:0/3000060", "\"yesterday\"");
        assertThat(run("run-now", "restore-test", "itpg", "--target", "lsn:0/zz", "--config", conf.toString())).isEqualTo(64);
        assertThat(run("run-now", "restore-test", "itpg", "--backup-id", "last", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("--backup-id: must be \"latest\" or a Barman backup id");
        assertThat(run("run-now", "restore-test", "itpg", "20261124T010203", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("--backup-id ID");
        assertThat(run("run-now", "backup", "itpg", "--target", "end-of-wal", "--config", conf.toString())).isEqualTo(64);
        assertThat(run("run-now", "offsite", "itpg", "--backup-id", "20261124T010203", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("--target, --backup-id and --from are for run-now restore-test only, not offsite");
        assertThat(run("run-now", "restore-test", "itpg", "--from", "tape", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("--from: must be \"barman\" or \"s3\", is \"tape\"");
        assertThat(run("run-now", "backup", "itpg", "--from", "s3", "--config", conf.toString())).isEqualTo(64);
        // offsite is off for itpg: a restore test from S3 cannot run (runNowOfAJobThatIsOff...)
        assertThat(run("run-now", "restore-test", "itpg", "--from", "s3", "--config", conf.toString())).isEqualTo(64);
        assertThat(run("run-now", "restore-test", "itpg", "--from", "barman", "--config", conf.toString())).isEqualTo(69);
        for (String t : List.of("end-of-wal", "time:2026-11-24T01:00:00Z", "ago:30m", "ago: 30 m", "lsn:0/3000060")) {
            assertThat(run("run-now", "restore-test", "itpg", "--target", t, "--backup-id", "latest",
                    "--config", conf.toString())).as(t).isEqualTo(69);
        }
    }

    @Test
    void runNowOfAJobThatIsOffOrOfAnUnknownServerIsAUsageErrorNamingTheKeyWithNothingRecorded() {
        // no daemon here: 69 would mean the request went on to it
        assertThat(run("run-now", "offsite", "itpg", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("barmand: job 'offsite' is off for server 'itpg': "
                + "barmand.servers.itpg.offsite.enabled = true turns it on (with the bucket; reference.conf, block offsite); "
                + "nothing run, nothing recorded");
        assertThat(run("run-now", "retention", "itpg", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("barmand.servers.itpg.retention.enabled = true turns it on");
        assertThat(run("run-now", "restore-test", "itpg", "--from", "s3", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("from S3 reads its offsite copy, but offsite is off");
        assertThat(run("run-now", "check", "itgp", "--config", conf.toString())).isEqualTo(64);
        assertThat(err.toString()).contains("barmand: unknown server 'itgp' (did you mean itpg?): configured: itpg");
        assertThat(tmp.resolve("state").resolve(RunStore.FILE)).doesNotExist();
        // a job whose schedule is off still runs on demand: the daemon is asked
        assertThat(run("run-now", "verify", "itpg", "--config", conf.toString())).isEqualTo(69);
    }

    @Test
    void runNowRestoreTestArgument() {
        RunNowCommand c = new RunNowCommand();
        c.job = "restore-test";
        assertThat(c.options(io.barmand.config.JobKind.RESTORE_TEST).isEmpty()).isTrue();
        c.target = "ago: 30m";
        c.backupId = "20261124T010203";
        io.barmand.job.RunOptions o = c.options(io.barmand.config.JobKind.RESTORE_TEST);
        assertThat(o.backupId()).contains("20261124T010203");
        assertThat(o.target().orElseThrow().ago()).contains(java.time.Duration.ofMinutes(30));
        assertThat(o.toMap()).containsExactly(java.util.Map.entry("backupId", "20261124T010203"), java.util.Map.entry("target", "ago:1800s"));
        assertThat(io.barmand.job.RunOptions.fromMap(o.toMap())).isEqualTo(o);
    }

    @Test
    void runNowExitCodes() {
        assertThat(RunNowCommand.exitCode(Outcome.SUCCESS)).isZero();
        assertThat(RunNowCommand.exitCode(Outcome.FAILED)).isEqualTo(1);
        assertThat(RunNowCommand.exitCode(Outcome.SKIPPED)).isEqualTo(75);
        assertThat(RunNowCommand.exitCode(Outcome.INTERRUPTED)).isEqualTo(75);
    }

    @Test
    void aServerNamedDotDotWithOffsiteOnIsRefusedBeforeAnythingTouchesTheStateDir() throws Exception {
        // on main: the file loaded, a failed copy of server '..' left STATE/spool/.. (the state dir) to clean up
        Path state = tmp.resolve("state");
        Files.createDirectories(state);
        Files.writeString(state.resolve("last-good.conf"), "kept");
        fake.answerText("list-servers", "{\"itpg\": {}, \"..\": {}}", 0);
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { itpg {}, "..": { offsite { enabled = true, bucket = "b", spool-dir = "%s" } } }
                }
                """.formatted(fake.script(), state, tmp.resolve("c.sock"), state.resolve("spool")));
        assertThat(run("check-config", "--config", conf.toString())).isEqualTo(78);
        assertThat(err.toString()).contains("barmand.servers.\"..\": '..' is not a valid server name: it names a folder");
        assertThat(run("run-now", "offsite", "..", "--config", conf.toString())).isEqualTo(64); // refused before the file is read
        assertThat(state.resolve("last-good.conf")).hasContent("kept");
    }

    @Test
    void aServerOnTheCommandLineThatIsNoNameIsAUsageErrorWithoutAskingTheDaemon() {
        for (String[] args : List.of(new String[] {"run-now", "offsite", ".."}, new String[] {"run-now", "check", "a/b"},
                new String[] {"history", "--server", ".."}, new String[] {"retention", "plan", "a/b"},
                new String[] {"offsite", "verify", ".."}, new String[] {"restore", "..", "--to", tmp.resolve("r").toString()},
                new String[] {"wal-restore", "..", "000000010000000000000001", tmp.resolve("w").toString()})) {
            err.getBuffer().setLength(0);
            List<String> a = new java.util.ArrayList<>(List.of(args));
            a.addAll(List.of("--config", conf.toString()));
            assertThat(run(a.toArray(String[]::new))).as(String.join(" ", args)).isEqualTo(64);
            assertThat(err.toString()).as(String.join(" ", args)).contains("is not a valid server name");
        }
        assertThat(fake.calls()).isEmpty();
    }

    @Test
    void historyLimitBelowOneIsAUsageError() {
        seed();
        assertThat(run("history", "--config", conf.toString(), "--limit", "-1")).isEqualTo(64);
        assertThat(err.toString()).contains("--limit: must be a whole number of runs, 1 or more, is -1");
        assertThat(out.toString()).isEmpty();
        assertThat(run("history", "--config", conf.toString(), "--limit", "0")).isEqualTo(64);
        assertThat(run("history", "--config", conf.toString(), "--limit", "1")).isZero();
    }

    @Test
    void devZeroAsTheConfigurationIsAConfigErrorWithoutAStackTrace() {
        for (String cmd : List.of("check-config", "history", "status")) {
            err.getBuffer().setLength(0);
            assertThat(run(cmd, "--config", "/dev/zero")).as(cmd).isEqualTo(cmd.equals("check-config") ? 78 : 0);
            assertThat(err.toString()).as(cmd).contains("/dev/zero: cannot read the configuration file (not a regular file)")
                    .doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        }
    }

    @Test
    void checkConfigAsRootSaysWhatTheDaemonsUserCannotRead() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "as root only");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("id", "-u", "barman").start().waitFor() == 0, "a user barman");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path secret = tmp.resolve("secret.conf");
        Files.writeString(secret, "servers.itpg.backup.timeout = 2h\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Files.writeString(conf, Files.readString(conf).replace("barmand {", "barmand {\n  include \"secret.conf\""));
        assertThat(run("check-config", "--config", conf.toString())).as(err.toString()).isZero();
        assertThat(err.toString()).contains("warning: " + secret + ": the daemon's user barman cannot read it (check-config runs as root)")
                .doesNotContain(conf + ": the daemon's user");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        err.getBuffer().setLength(0);
        assertThat(run("check-config", "--config", conf.toString())).as(err.toString()).isZero();
        // the empty mail.to's warning remains (checkConfigWarnsOfNoServer...)
        assertThat(err.toString()).doesNotContain("cannot read it");
    }
}
