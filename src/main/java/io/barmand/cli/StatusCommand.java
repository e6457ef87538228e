package io.barmand.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.config.Settings;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.history.Sizes;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status", description = "Per server: last run of each job and its outcome, next fire times, "
        + "last backup and its age (reads the history store and the configuration).")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON object instead of the table (docs/CONTRACTS.md)")
    boolean json;

    @Option(names = "--check", description = "one line and the exit code of a Nagios plugin: 0 OK, 1 WARNING, 2 CRITICAL "
            + "(the problems of the morning report)")
    boolean check;

    @Override
    public Integer call() throws Exception {
        Settings s = Settings.load(main.configFile(), null);
        Instant now = Instant.now();
        RunStore store = Files.exists(s.stateDir().resolve(RunStore.FILE)) ? RunStore.open(s.stateDir(), false) : null;
        if (check) {
            return check(s, store, now);
        }
        try {
            ObjectNode root = RunJson.MAPPER.createObjectNode();
            root.put("now", now.toString());
            root.put("daemonLastStart", store == null ? null : store.lastDaemonStart().map(Instant::toString).orElse(null));
            ArrayNode servers = root.putArray("servers");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"SERVER", "JOB", "SCHEDULE", "LAST RUN", "TRIGGER", "OUTCOME", "TOOK", "NEXT RUN", "FIGURES / ERROR"});
            List<String> backups = new ArrayList<>();
            for (ServerSettings ss : s.servers().values()) {
                ObjectNode so = servers.addObject();
                so.put("server", ss.name());
                so.put("timezone", ss.timezone().getId());
                ArrayNode jobs = so.putArray("jobs");
                for (JobKind k : JobKind.values()) {
                    JobSettings js = ss.job(k);
                    if (js == null || k.host()) {
                        continue;
                    }
                    job(store, ss.name(), k, js, now, jobs, rows);
                }
                Optional<RunRecord> lb = store == null ? Optional.empty() : store.lastSuccessfulBackup(ss.name());
                if (lb.isPresent()) {
                    RunRecord b = lb.get();
                    Instant end = b.ended() == null ? b.started() : b.ended();
                    Duration age = Duration.between(end, now);
                    ObjectNode bo = so.putObject("lastBackup");
                    bo.put("backupId", b.backupId());
                    bo.put("ended", end.toString());
                    bo.put("ageSeconds", age.getSeconds());
                    bo.put("sizeBytes", b.sizeBytes());
                    backups.add(ss.name() + ": last backup " + b.backupId() + " ("
                            + (b.sizeBytes() == null ? "?" : Sizes.human(b.sizeBytes())) + "), finished " + Tables.time(end)
                            + ", " + Tables.age(age) + " ago");
                } else {
                    so.putNull("lastBackup");
                    backups.add(ss.name() + ": no backup recorded by barmand");
                }
                // offsite: the last finished copy run names the backup in S3, the newest WAL there and the lag
                Optional<RunRecord> lo = store == null ? Optional.empty() : store.lastRun(ss.name(), JobKind.OFFSITE.id(), false);
                if (lo.isPresent() && !lo.get().outcome().open()) {
                    RunRecord o = lo.get();
                    ObjectNode oo = so.putObject("lastOffsite");
                    oo.put("runId", o.id());
                    oo.put("outcome", o.outcome().word());
                    oo.put("backupId", o.backupId());
                    oo.put("detail", o.detail());
                    oo.put("error", o.error());
                    backups.add(ss.name() + ": offsite (run " + o.id() + ", " + o.outcome().word() + ", "
                            + Tables.time(o.ended() == null ? o.started() : o.ended()) + "): "
                            + (o.detail() != null ? o.detail() : "") + (o.error() != null ? " error: " + o.error() : ""));
                }
            }
            // jobs of the host: one row each, no server
            ArrayNode host = root.putArray("hostJobs");
            s.hostJobs().forEach((k, js) -> job(store, "", k, js, now, host, rows));
            if (json) {
                spec.commandLine().getOut().println(RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } else {
                spec.commandLine().getOut().print(Tables.render(rows));
                spec.commandLine().getOut().println();
                backups.forEach(spec.commandLine().getOut()::println);
            }
            spec.commandLine().getOut().flush();
            return 0;
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /**
     * {@code BARMAND OK - 2 servers}, or {@code BARMAND CRITICAL - FAILED: pg1 backup} then one line per problem; the
     * exit code is the severity (0, 1, 2). No history at all is UNKNOWN (3).
     */
    private int check(Settings s, RunStore store, Instant now) {
        var out = spec.commandLine().getOut();
        if (store == null) {
            out.println("BARMAND UNKNOWN - no history in " + s.stateDir() + " (has barmand run on this host?)");
            out.flush();
            return 3;
        }
        try (store) {
            io.barmand.barman.BarmanClient barman = new io.barmand.barman.BarmanClient(
                    new io.barmand.process.CommandRunner(java.time.Clock.systemUTC(), s.killGrace()), s.barmanBinary(),
                    s.barmanConfigFile());
            io.barmand.health.HealthReport h = new io.barmand.health.Health(s, store, barman.walClock(s.probeTimeout()))
                    .evaluate(now, s.report().window());
            out.println("BARMAND " + h.severity().word() + " - " + h.verdict().replaceFirst("^(OK|FAILED|WARNING): ", "") + " | problems=" + h.problems().size()
                    + " missed=" + h.missed().size());
            for (io.barmand.health.Problem p : h.problems()) {
                out.println(String.format("%-8s", p.severity().word()) + " " + (p.server().isEmpty() ? "" : p.server() + ": ") + p.text());
            }
            out.flush();
            return h.severity().exitCode();
        }
    }

    /** One job's row and JSON object: its last run and next fire time (server "" = a job of the host). */
    private static void job(RunStore store, String server, JobKind k, JobSettings js, Instant now, ArrayNode out,
                            List<String[]> rows) {
        Optional<RunRecord> last = store == null ? Optional.empty() : store.lastRun(server, k.id(), true);
        Instant next = next(js, now);
        ObjectNode jo = out.addObject();
        jo.put("job", k.id());
        jo.put("schedule", js.scheduleText());
        jo.put("scheduleInWords", js.scheduleWords());
        jo.put("nextFire", next == null ? null : next.toString());
        jo.set("lastRun", last.map(r -> (com.fasterxml.jackson.databind.JsonNode) RunJson.toJson(r)).orElse(null));
        rows.add(new String[] {server.isEmpty() ? "-" : server, k.id(), js.scheduleWords(),
                last.map(r -> Tables.time(r.started())).orElse("-"),
                last.map(r -> r.trigger().word()).orElse("-"), last.map(r -> r.outcome().word()).orElse("never"),
                last.map(r -> Tables.took(r.durationMs())).orElse("-"), next == null ? "-" : Tables.time(next),
                last.map(Tables::figures).orElse("")});
    }

    static Instant next(JobSettings js, Instant now) {
        return js.schedule().flatMap(sc -> sc.next(now)).orElse(null);
    }
}
