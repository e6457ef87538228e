package io.barmand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import io.barmand.control.ControlClient;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.config.RestoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "run-now", description = "Run a job now through the running daemon (its locks and history hold); "
        + "waits for the run and prints it. Exit 0 success, 1 failed, 75 skipped (server busy) or interrupted, "
        + "69 daemon not reachable.")
final class RunNowCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "check, switch-wal, backup, restore-test or offsite")
    String job;

    @Parameters(index = "1", paramLabel = "SERVER", description = "a server of the configuration")
    String server;

    @Parameters(index = "2", arity = "0..1", paramLabel = "BACKUP_ID",
            description = "offsite only: the Barman backup to copy (default: the newest DONE backup; restore-test: use --backup-id)")
    String argument;

    @Option(names = "--json", description = "print the run as JSON")
    boolean json;

    @Option(names = "--target", paramLabel = "TARGET", description = "restore-test only: where recovery stops for this run "
            + "(as restore-test.target: end-of-wal, time:2026-11-24T01:00:00Z, ago:30m, lsn:0/3000060)")
    String target;

    @Option(names = "--backup-id", paramLabel = "ID", description = "restore-test only: the backup to test for this run "
            + "(latest or a Barman backup id)")
    String backupId;

    @Override
    public Integer call() throws Exception {
        if (JobKind.byId(job).isEmpty()) {
            throw new BarmandException(Category.USAGE, "unknown job '" + job + "' (check, switch-wal, backup, restore-test, offsite)");
        }
        String arg = argument(JobKind.byId(job).orElseThrow());
        Settings s = Settings.load(main.configFile(), null);
        ObjectNode req = RunJson.MAPPER.createObjectNode().put("op", "run-now").put("job", job).put("server", server);
        if (arg != null) {
            req.put("argument", arg);
        }
        JsonNode resp = ControlClient.request(s.controlSocket(), req);
        if (!resp.path("ok").asBoolean()) {
            int code = resp.path("exitCode").asInt(Category.INTERNAL.exitCode());
            Main.report(spec.commandLine().getErr(), resp.path("error").asText("unknown error"));
            return code;
        }
        RunRecord r = RunJson.fromJson(resp.path("run"));
        if (json) {
            spec.commandLine().getOut().println(RunJson.MAPPER.writeValueAsString(resp.path("run")));
        } else {
            spec.commandLine().getOut().println(Tables.describe(r));
        }
        spec.commandLine().getOut().flush();
        return exitCode(r.outcome());
    }

    /** The control request's "argument", checked here so that a bad one exits 64 without asking the daemon. */
    String argument(JobKind kind) {
        if (kind != JobKind.RESTORE_TEST) {
            if (target != null || backupId != null) {
                throw new BarmandException(Category.USAGE, "--target and --backup-id are for run-now restore-test only, not " + job);
            }
            return argument;
        }
        if (argument != null) {
            throw new BarmandException(Category.USAGE, "restore-test takes the backup as --backup-id ID, not as '" + argument + "'");
        }
        List<String> words = new ArrayList<>();
        if (target != null) {
            // no form of a target has meaningful whitespace ("ago:30 m" = "ago:30m"); the argument is space-separated
            String t = target.replaceAll("\\s+", "");
            if (RestoreSettings.parseTarget(t).isEmpty()) {
                throw new BarmandException(Category.USAGE, "--target: must be " + RestoreSettings.TARGET_FORMS + ", is \"" + target + "\"");
            }
            words.add("target=" + t);
        }
        if (backupId != null) {
            if (!RestoreSettings.backupId(backupId)) {
                throw new BarmandException(Category.USAGE, "--backup-id: must be \"latest\" or a Barman backup id "
                        + "(like 20261124T010203), is \"" + backupId + "\"");
            }
            words.add("backup-id=" + backupId);
        }
        return words.isEmpty() ? null : String.join(" ", words);
    }

    static int exitCode(Outcome o) {
        return switch (o) {
            case SUCCESS -> 0;
            case FAILED -> Category.JOB_FAILED.exitCode();
            case SKIPPED, INTERRUPTED, RUNNING, QUEUED -> Category.BUSY.exitCode();
        };
    }
}
