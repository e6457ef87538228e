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
            description = "offsite only: the Barman backup to copy (default: the newest DONE backup)")
    String argument;

    @Option(names = "--json", description = "print the run as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (JobKind.byId(job).isEmpty()) {
            throw new BarmandException(Category.USAGE, "unknown job '" + job + "' (check, switch-wal, backup, restore-test, offsite)");
        }
        Settings s = Settings.load(main.configFile(), null);
        ObjectNode req = RunJson.MAPPER.createObjectNode().put("op", "run-now").put("job", job).put("server", server);
        if (argument != null) {
            req.put("argument", argument);
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

    static int exitCode(Outcome o) {
        return switch (o) {
            case SUCCESS -> 0;
            case FAILED -> Category.JOB_FAILED.exitCode();
            case SKIPPED, INTERRUPTED, RUNNING -> Category.BUSY.exitCode();
        };
    }
}
