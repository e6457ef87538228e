package io.barmand.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.Settings;
import io.barmand.fleet.FleetView;
import io.barmand.fleet.Running;
import io.barmand.fleet.StateDatabase;
import io.barmand.history.RunJson;
import io.barmand.vocabulary.Capability;
import io.barmand.wiring.Services;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "fleet", description = "The fleet of barmand nodes sharing the state database (state.url).",
        subcommands = {FleetCommand.Status.class, FleetCommand.Forget.class})
final class FleetCommand {
    @ParentCommand
    Main main;

    @Command(name = "status", description = {"Every node: its heartbeat's age, version, servers, running runs and "
            + "what it can run; a node silent longer than fleet.node-silent-after is marked SILENT."})
    static final class Status implements Callable<Integer> {
        @ParentCommand
        FleetCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON: nodes[] (name, heartbeat age, silent, servers, running, capabilities, backlog) and floating[]")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Settings s = Settings.loadWithoutBarman(parent.main.configFile());
            List<FleetView.Node> nodes;
            List<FleetView.Floating> floating;
            try (StateDatabase db = Services.stateDatabase(s)) {
                FleetView view = new FleetView(db);
                nodes = view.nodes();
                floating = view.floating();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode root = RunJson.MAPPER.createObjectNode();
                root.put("node_silent_after_seconds", s.fleet().nodeSilentAfter().toSeconds());
                ArrayNode ns = root.putArray("nodes");
                for (FleetView.Node n : nodes) {
                    ObjectNode o = ns.addObject();
                    o.put("name", n.name()).put("version", n.version())
                            .put("last_heartbeat", n.lastHeartbeat().toString())
                            .put("heartbeat_age_seconds", n.age().toMillis() / 1000.0)
                            .put("silent", n.silent(s.fleet().nodeSilentAfter()))
                            .put("first_heartbeat", n.firstHeartbeat().toString())
                            .put("backlog", n.backlog());
                    ArrayNode sv = o.putArray("servers");
                    n.servers().forEach(sv::add);
                    ArrayNode rn = o.putArray("running");
                    for (Running r : n.running()) {
                        rn.addObject().put("server", r.server()).put("job", r.job()).put("started", r.started().toString());
                    }
                    ArrayNode cs = o.putArray("capabilities");
                    n.capabilities().forEach(c -> cs.add(c.id()));
                }
                ArrayNode fl = root.putArray("floating");
                for (FleetView.Floating f : floating) {
                    fl.addObject().put("job", f.job()).put("node", f.node())
                            .put("last_run", f.lastRun() == null ? null : f.lastRun().toString());
                }
                out.println(RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } else if (nodes.isEmpty()) {
                out.println("no node has written a heartbeat to " + s.fleet().state().orElseThrow().url() + " yet");
            } else {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"NODE", "HEARTBEAT", "VERSION", "SERVERS", "RUNNING", "BACKLOG", "CAN RUN"});
                for (FleetView.Node n : nodes) {
                    rows.add(new String[] {n.name(), Tables.age(n.age()) + " ago"
                            + (n.silent(s.fleet().nodeSilentAfter()) ? " SILENT" : ""), n.version(),
                            n.servers().isEmpty() ? "-" : String.join(",", n.servers()),
                            n.running().isEmpty() ? "-" : String.join(",", n.running().stream()
                                    .map(r -> (r.server().isEmpty() ? "" : r.server() + ":") + r.job()).toList()),
                            String.valueOf(n.backlog()),
                            n.capabilities().isEmpty() ? "-" : String.join(",", n.capabilities().stream().map(Capability::id).toList())});
                }
                out.print(Tables.render(rows));
                if (!floating.isEmpty()) {
                    List<String[]> fr = new ArrayList<>();
                    fr.add(new String[] {"FLOATING JOB", "LAST RAN ON", "AT"});
                    floating.forEach(f -> fr.add(new String[] {f.job(), f.node(), Tables.time(f.lastRun(), s.hostTimezone())}));
                    out.println();
                    out.print(Tables.render(fr));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "forget", description = {"Removes a node that left the fleet from the state database (its runs stay "
            + "in the history). Refused while the node's heartbeat is younger than fleet.node-silent-after."})
    static final class Forget implements Callable<Integer> {
        @ParentCommand
        FleetCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NODE", description = "the node's name, as fleet status shows it")
        String node;

        @Override
        public Integer call() {
            Settings s = Settings.loadWithoutBarman(parent.main.configFile());
            FleetView.Node n;
            try (StateDatabase db = Services.stateDatabase(s)) {
                n = new FleetView(db).forget(node, s.fleet().nodeSilentAfter());
            }
            spec.commandLine().getOut().println("node " + n.name() + " forgotten (last heartbeat " + Tables.age(n.age())
                    + " ago); its runs stay in the fleet's history");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
