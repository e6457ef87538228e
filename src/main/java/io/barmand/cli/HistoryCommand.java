package io.barmand.cli;

import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.config.LastGood;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.config.Settings;
import io.barmand.fleet.FleetView;
import io.barmand.fleet.StateDatabase;
import io.barmand.wiring.Services;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "history", description = {"Recorded runs, newest first (reads the history store).",
        "When the configuration file is broken: one warning line on stderr naming the problem, then the runs of the "
        + "state dir of the settings barmand last started with (STATE-DIR/" + LastGood.FILE + "), else of the state-dir "
        + "the broken file names, else of /var/lib/barmand."})
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "S", description = "only the runs of this server")
    String server;

    @Option(names = "--job", paramLabel = "J", completionCandidates = JobNames.class,
            description = "only the runs of this job: ${COMPLETION-CANDIDATES} (switch-xlog: switch-wal)")
    String job;

    @Option(names = "--node", paramLabel = "NODE",
            description = "the runs of this node of the fleet, read from the state database (state.url); ALL: every node's")
    String node;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N runs (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "a JSON array (docs/CONTRACTS.md)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw new BarmandException(Category.USAGE, "--limit: must be a whole number of runs, 1 or more, is " + limit);
        }
        if (server != null) {
            Names.server(server);
        }
        if (job != null) {
            job = RunNowCommand.kind(job).id(); // switch-xlog: the runs of switch-wal
        }
        List<RunRecord> runs = List.of();
        if (node != null) {
            Settings s = Settings.loadWithoutBarman(main.configFile());
            try (StateDatabase db = Services.stateDatabase(s)) {
                runs = new FleetView(db).runs(node.equals("ALL") ? null : node, server, job, limit);
            }
            print(runs, s.hostTimezone());
            return 0;
        }
        LastGood.Loaded loaded = LastGood.load(main.configFile(), null);
        loaded.warning().ifPresent(w -> Main.report(spec.commandLine().getErr(), w));
        if (java.nio.file.Files.exists(loaded.stateDir().resolve(RunStore.FILE))) {
            try (RunStore store = RunStore.open(loaded.stateDir(), false)) {
                runs = store.list(server, job, limit);
            }
        }
        print(runs, loaded.settings().map(Settings::hostTimezone).orElse(java.time.ZoneId.systemDefault()));
        return 0;
    }

    private void print(List<RunRecord> runs, java.time.ZoneId zone) throws Exception {
        if (json) {
            spec.commandLine().getOut().println(RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(RunJson.toJson(runs)));
        } else {
            spec.commandLine().getOut().print(Tables.history(runs, zone));
        }
        spec.commandLine().getOut().flush();
    }
}
