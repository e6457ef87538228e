package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.config.LastGood;
import io.barmand.config.Settings;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code status} with Barman's catalogue (real Barman 3.4 output of the restore fixture's itrestore: three DONE
 * backups, 20261201T144833, ...34 and ...36), its exit code, and {@code status} / {@code history} on a broken file.
 */
class StatusCatalogueTest {
    @TempDir
    Path tmp;
    Path conf;
    Path state;
    FakeBarman fake;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final Instant t = Instant.parse("2026-12-01T14:40:00Z");

    @BeforeEach
    void setUp() throws Exception {
        Path wals = Files.createDirectories(tmp.resolve("wals"));
        try (var in = getClass().getResourceAsStream("/barman-json/xlog-itrestore.db")) {
            Files.write(wals.resolve("xlog.db"), in.readAllBytes());
        }
        fake = new FakeBarman(tmp.resolve("bin")).answer("list-backups", "list-backups-itrestore.json", 0)
                .answerText("show-servers", FakeBarman.sample("show-servers-itrestore.json")
                        .replace("\"/var/tmp/barmandit-restore/home/itrestore/wals\"", "\"" + wals + "\""), 0)
                .answer("show-backup", "show-backup-itrestore-oldest.json", 0);
        state = tmp.resolve("state");
        conf = tmp.resolve("barmand.conf");
        Files.writeString(conf, """
                barmand {
                  barman.binary = "%s"
                  state-dir = "%s"
                  control-socket = "%s"
                  servers { itrestore { backup.schedule = "30 1 * * *" } }
                }
                """.formatted(fake.script(), state, tmp.resolve("c.sock")));
    }

    int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A run of barmand's, ended {@code outcome}, {@code minutes} after t. */
    long record(String job, Outcome outcome, int minutes, String backupId) {
        try (RunStore s = RunStore.open(state, true)) {
            Instant at = t.plusSeconds(60L * minutes);
            long id = s.start("itrestore", job, Trigger.SCHEDULED, at);
            s.finish(id, outcome, at.plusSeconds(5), 5000, new RunFigures(backupId, backupId == null ? null : 84893020L, null,
                    List.of(), outcome == Outcome.SUCCESS ? null : "it broke", null));
            return id;
        }
    }

    @Test
    void aBackupTakenByHandIsBarmansNewestNotTakenByBarmand() throws Exception {
        record("backup", Outcome.SUCCESS, 8, "20261201T144834");
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        String o = out.toString();
        assertThat(o).contains("itrestore: last backup 20261201T144836 (81.7 MiB), finished 2026-12-01 14:48:36 UTC, ")
                .contains(": Barman's newest, not taken by barmand (barmand's last: 20261201T144834, finished 2026-12-01 14:48:05 UTC)")
                .doesNotContain("no backup recorded by barmand")
                .contains("itrestore: Barman: 3 DONE backup(s), newest 20261201T144836 (ended 2026-12-01 14:48:36 UTC, ")
                .contains(", oldest 20261201T144833 (ended 2026-12-01 14:48:34 UTC, ")
                .contains("itrestore: Barman: recovery window reached: ")
                .contains(", back to 2026-12-01 14:48:33 UTC (the oldest DONE backup's begin); retention_policy: not set")
                .contains("itrestore: Barman: WAL 00000001000000030000005F .. 000000010000000300000063 (5 segment(s)), "
                        + "the newest archived 2026-12-01 14:48:36 UTC, ")
                .contains("itrestore: Barman: 2 DONE backup(s) made outside barmand: 20261201T144836, 20261201T144833");

        // restorability first: the verdict of each server, before the jobs' table
        // the daemon first (not running here: no NEXT RUN column), then restorability, then the jobs
        assertThat(o).startsWith("daemon: NOT running: ").contains("\nSERVER     VERDICT").contains("RESTORABLE TO")
                .doesNotContain("NEXT RUN");
        assertThat(o.indexOf("VERDICT")).isLessThan(o.indexOf("LAST RUN"));
        assertThat(run("status", "--json", "--config", conf.toString())).isZero();
        JsonNode root = RunJson.MAPPER.readTree(out.toString());
        assertThat(root.path("restorability")).singleElement().satisfies(r -> {
            assertThat(r.path("server").asText()).isEqualTo("itrestore");
            assertThat(r.path("verdict").asText()).isIn("restorable", "at-risk", "not-restorable");
            // never restore-tested: not "restorable"
            assertThat(r.path("verdict").asText()).isNotEqualTo("restorable");
            assertThat(r.path("lastProven").isNull()).isTrue();
        });
        assertThat(root.path("settings").asText()).isEqualTo("config");
        assertThat(root.path("configWarning").isNull()).isTrue();
        assertThat(root.path("exitCode").asInt()).isZero();
        JsonNode s = root.path("servers").get(0);
        assertThat(s.path("lastBackup").path("backupId").asText()).isEqualTo("20261201T144834");
        JsonNode b = s.path("barman");
        assertThat(b.path("error").isNull()).isTrue();
        assertThat(b.path("backups").asInt()).isEqualTo(3);
        assertThat(b.path("done").asInt()).isEqualTo(3);
        assertThat(b.path("newest").path("backupId").asText()).isEqualTo("20261201T144836");
        assertThat(b.path("newest").path("ended").asText()).isEqualTo("2026-12-01T14:48:36Z");
        assertThat(b.path("newest").path("sizeBytes").asLong()).isEqualTo(85622108L);
        assertThat(b.path("newest").path("takenByBarmand").asBoolean()).isFalse();
        assertThat(b.path("newest").path("ageSeconds").asLong()).isPositive();
        assertThat(b.path("oldest").path("backupId").asText()).isEqualTo("20261201T144833");
        assertThat(b.path("recoveryWindow").path("from").asText()).isEqualTo("2026-12-01T14:48:33Z");
        assertThat(b.path("recoveryWindow").path("seconds").asLong()).isPositive();
        assertThat(b.path("retentionPolicy").isNull()).isTrue();
        assertThat(b.path("wal").path("first").asText()).isEqualTo("00000001000000030000005F");
        assertThat(b.path("wal").path("last").asText()).isEqualTo("000000010000000300000063");
        assertThat(b.path("wal").path("segments").asLong()).isEqualTo(5);
        assertThat(b.path("wal").path("lastArchived").asText()).isEqualTo("2026-12-01T14:48:36.370Z");
        assertThat(b.path("outsideBarmand")).extracting(JsonNode::asText).containsExactly("20261201T144836", "20261201T144833");
        assertThat(b.path("olderThanHistory").asLong()).isZero();
    }

    @Test
    void backupsOlderThanTheHistoryAreNotJudged() throws Exception {
        // the history starts after 144834 ended, at 14:48:35 (runs pruned, or barmand not there yet)
        try (RunStore s = RunStore.open(state, true)) {
            long id = s.start("itrestore", "check", Trigger.SCHEDULED, Instant.parse("2026-12-01T14:48:36Z"));
            s.finish(id, Outcome.SUCCESS, Instant.parse("2026-12-01T14:48:36Z"), 300, new RunFigures(null, null, null, List.of(), null, null));
        }
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).contains("itrestore: last backup 20261201T144836 (81.7 MiB)")
                .contains("not taken by barmand (none recorded by barmand)")
                .contains("itrestore: Barman: 1 DONE backup(s) made outside barmand: 20261201T144836; 2 older than the "
                        + "history (since 2026-12-01 14:48:36 UTC), not judged");
    }

    @Test
    void barmandsOwnNewestBackupReadsAsBefore() {
        record("backup", Outcome.SUCCESS, 9, "20261201T144836");
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).contains("itrestore: last backup 20261201T144836 (81.0 MiB), finished 2026-12-01 14:49:05 UTC")
                .doesNotContain("not taken by barmand");
    }

    @Test
    void aBarmanThatCannotBeReadIsSaidAndStatusGoesOn() throws Exception {
        fake.answerText("list-backups", "{\"_ERROR\": [\"Unknown server 'itrestore'\"]}", 1);
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).contains("itrestore: no backup recorded by barmand\n")
                .contains("itrestore: Barman: cannot read its catalogue: barman list-backups all: Unknown server 'itrestore'");
        assertThat(run("status", "--json", "--config", conf.toString())).isZero();
        JsonNode b = RunJson.MAPPER.readTree(out.toString()).path("servers").get(0).path("barman");
        assertThat(b.path("error").asText()).contains("Unknown server 'itrestore'");
        assertThat(b.has("newest")).isFalse();
    }

    @Test
    void exitsOneWhenTheNewestRunOfADecidingJobFailedOrWasInterrupted() throws Exception {
        long failed = record("backup", Outcome.FAILED, 1, null);
        assertThat(run("status", "--wide", "--config", conf.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("FAILED (exit 1): itrestore backup (run " + failed + ", failed 2026-12-01 14:41:05 UTC)");
        assertThat(run("status", "--json", "--config", conf.toString())).isEqualTo(1);
        JsonNode root = RunJson.MAPPER.readTree(out.toString());
        assertThat(root.path("exitCode").asInt()).isEqualTo(1);
        assertThat(root.path("failedJobs").get(0).path("job").asText()).isEqualTo("backup");
        assertThat(root.path("failedJobs").get(0).path("runId").asLong()).isEqualTo(failed);
        assertThat(root.path("failedJobs").get(0).path("outcome").asText()).isEqualTo("failed");

        record("backup", Outcome.SUCCESS, 2, "20261201T144836");
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();
        assertThat(out.toString()).doesNotContain("FAILED");

        record("check", Outcome.FAILED, 3, null); // a check's failure is the next check's to tell
        try (RunStore s = RunStore.open(state, true)) {
            s.skipped("itrestore", "backup", Trigger.SCHEDULED, t.plusSeconds(240), "busy"); // skipped: not an end
        }
        assertThat(run("status", "--wide", "--config", conf.toString())).isZero();

        long cut = record("restore-test", Outcome.INTERRUPTED, 4, null);
        assertThat(run("status", "--wide", "--config", conf.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("itrestore restore-test (run " + cut + ", interrupted");
        for (String job : List.of("offsite", "verify", "retention")) {
            record("restore-test", Outcome.SUCCESS, 5, null);
            record(job, Outcome.FAILED, 6, null);
            assertThat(run("status", "--wide", "--config", conf.toString())).as(job).isEqualTo(1);
            record(job, Outcome.SUCCESS, 7, null);
            assertThat(run("status", "--wide", "--config", conf.toString())).as(job).isZero();
        }
    }

    @Test
    void aBrokenFileIsOneWarningLineThenTheLastGoodSettings() throws Exception {
        record("backup", Outcome.FAILED, 1, null);
        LastGood.save(Settings.load(conf, null), t); // what the daemon does at its start
        Files.writeString(conf, Files.readString(conf).replace("servers {", "colour = red\n  servers {"));
        assertThat(run("status", "--wide", "--config", conf.toString())).isEqualTo(1);
        List<String> e = err.toString().lines().toList();
        assertThat(e).hasSize(1);
        assertThat(e.get(0)).startsWith("barmand: warning: the configuration is broken: " + conf + ": barmand.colour: unknown key")
                .contains("; showing the settings barmand last started with (" + state.resolve(LastGood.FILE) + ", written ");
        assertThat(out.toString()).containsPattern("itrestore +backup +daily at 01:30 UTC +2026-12-01")
                .contains("itrestore: Barman: 3 DONE backup(s)");
        assertThat(run("status", "--json", "--config", conf.toString())).isEqualTo(1);
        JsonNode root = RunJson.MAPPER.readTree(out.toString());
        assertThat(root.path("settings").asText()).isEqualTo("last-good");
        assertThat(root.path("configWarning").asText()).contains("barmand.colour: unknown key");

        assertThat(run("history", "--config", conf.toString())).isZero();
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(out.toString()).contains("itrestore  backup").contains("failed");
        // check-config and the daemon still refuse it
        assertThat(run("check-config", "--config", conf.toString())).isEqualTo(78);
        assertThat(run("status", "--check", "--config", conf.toString())).isEqualTo(78);
    }

    @Test
    void aBrokenFileWithoutLastGoodSettingsShowsTheHistoryAlone() throws Exception {
        long id = record("backup", Outcome.SUCCESS, 1, "20261201T144834");
        record("offsite", Outcome.FAILED, 2, null);
        // not HOCON at all: the state dir is read from its line
        Files.writeString(conf, Files.readString(conf).replace("servers {", "servers { {"));
        assertThat(run("status", "--wide", "--config", conf.toString())).isEqualTo(1);
        List<String> e = err.toString().lines().toList();
        assertThat(e).hasSize(1);
        assertThat(e.get(0)).startsWith("barmand: warning: the configuration is broken: " + conf + ": not valid HOCON")
                .endsWith("; showing the history in " + state + " alone (no last good settings in " + state.resolve(LastGood.FILE) + ")");
        assertThat(out.toString()).containsPattern("itrestore +backup +\\? +2026-12-01 14:41:00 UTC +scheduled +success")
                .containsPattern("itrestore +offsite +\\? +.* failed")
                .doesNotContain("itrestore  check")
                .contains("itrestore: last backup 20261201T144834")
                .contains("itrestore: Barman: cannot read its catalogue: not asked: no settings (the configuration is broken)");
        assertThat(fake.calls()).isEmpty();
        assertThat(run("history", "--json", "--config", conf.toString())).isZero();
        assertThat(RunJson.MAPPER.readTree(out.toString())).hasSize(2);
        assertThat(RunJson.MAPPER.readTree(out.toString()).get(1).path("id").asLong()).isEqualTo(id);
    }

    @Test
    void theLastGoodFileLoadsAgainAndIsNotWorldReadable() throws Exception {
        Settings s = Settings.load(conf, null);
        LastGood.save(s, t);
        Path f = state.resolve(LastGood.FILE);
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.readString(f)).startsWith("# written by barmand at its start, 2026-12-01T14:40:00Z, from " + conf);
        Settings again = Settings.load(f, null);
        assertThat(again.stateDir()).isEqualTo(s.stateDir());
        assertThat(again.servers().keySet()).containsExactly("itrestore");
        assertThat(again.servers().get("itrestore").job(io.barmand.config.JobKind.BACKUP).scheduleText()).isEqualTo("30 1 * * *");
        assertThat(again.barmanBinary()).isEqualTo(fake.script());
    }

    @Test
    void aBrokenFileThatNamesNoStateDirMeansTheDefault() throws Exception {
        Files.writeString(conf, "barmand { colour = red }\n");
        assertThat(LastGood.load(conf, null).stateDir()).isEqualTo(Path.of("/var/lib/barmand"));
        assertThat(LastGood.load(conf, null).source()).isEqualTo(LastGood.Source.HISTORY_ONLY);
    }

    @Test
    void statusHelpSaysTheExitCodes() {
        assertThat(run("status", "--help")).isZero();
        assertThat(out.toString()).contains("Exit codes of status (without --check):").contains("  0    the newest ended run of every backup")
                .contains("  1    the newest ended run of one of them").contains("  78   --check only").contains(LastGood.FILE);
    }
}
