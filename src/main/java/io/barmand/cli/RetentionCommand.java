package io.barmand.cli;

import io.barmand.wiring.Services;
import io.barmand.config.Names;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.history.RunJson;
import io.barmand.history.RunStore;
import io.barmand.retention.Plan;
import io.barmand.retention.PlanText;
import io.barmand.retention.RetentionService;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code barmand retention plan SERVER [--json]}: what a retention run would do, touching nothing. */
@Command(name = "retention", description = "Retention of Barman's backups and of their copies in S3.",
        subcommands = {RetentionCommand.PlanCommand.class})
final class RetentionCommand implements Runnable {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (plan)");
    }

    @Command(name = "plan", description = "A dry run: every backup of the server, in Barman and in S3, with keep or "
            + "delete and the tier or rail that decided. Reads Barman, the bucket and the history directly; deletes, "
            + "keeps and releases nothing. Exit 0, or 1 when a guard refuses the run (the refusal is printed).")
    static final class PlanCommand implements Callable<Integer> {
        @ParentCommand
        RetentionCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SERVER", description = "a server of the configuration")
        String server;

        @Option(names = "--json", description = "print the plans as JSON (docs/CONTRACTS.md)")
        boolean json;

        @Option(names = "--allow-mass-delete", description = "plan as `run-now retention SERVER --allow-mass-delete` "
                + "would: without the guards on how many backups one run deletes")
        boolean allowMassDelete;

        @Override
        public Integer call() throws Exception {
            Names.server(server);
            Settings s = Settings.load(parent.main.configFile(), null);
            Clock clock = Clock.systemUTC();
            BarmanClient barman = Services.barman(s, Services.commands(s, clock));
            RunStore store = Files.exists(s.stateDir().resolve(RunStore.FILE)) ? RunStore.open(s.stateDir(), false) : null;
            try {
                RetentionService rs = Services.retention(s, barman, store, clock);
                RetentionService.Plans p = rs.plans(server, allowMassDelete, s.probeTimeout().multipliedBy(4));
                PrintWriter out = spec.commandLine().getOut();
                boolean refused = p.local().refused() || p.s3().map(Plan::refused).orElse(false)
                        || p.barmanPolicy().isPresent();
                if (json) {
                    ObjectNode o = RunJson.MAPPER.createObjectNode();
                    o.put("server", server);
                    o.put("barmanRetentionPolicy", p.barmanPolicy().orElse(null));
                    o.set("local", PlanText.json(p.local()));
                    if (p.s3().isPresent()) {
                        o.set("s3", PlanText.json(p.s3().get()));
                    } else {
                        o.putNull("s3");
                    }
                    o.put("s3Error", p.s3Error().isEmpty() ? null : p.s3Error());
                    out.println(RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o));
                } else {
                    p.barmanPolicy().ifPresent(bp -> out.println("REFUSED: Barman's own retention_policy = " + bp
                            + " is set for " + server + ": empty it, or barman cron deletes what the tiers keep"));
                    out.println("Barman catalogue of " + server + ":");
                    PlanText.table(p.local()).forEach(l -> out.println("  " + l));
                    if (p.s3().isPresent()) {
                        out.println("S3 copies of " + server + ":");
                        PlanText.table(p.s3().get()).forEach(l -> out.println("  " + l));
                    } else if (!p.s3Error().isEmpty()) {
                        out.println("S3 copies of " + server + ": the bucket cannot be read: " + p.s3Error());
                    }
                }
                out.flush();
                return refused ? 1 : 0;
            } finally {
                if (store != null) {
                    store.close();
                }
            }
        }
    }
}
