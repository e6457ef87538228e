package io.barmand.cli;

import io.barmand.wiring.Services;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.barman.BarmanCatalogue;
import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.LastGood;
import io.barmand.config.JobSettings;
import io.barmand.config.ServerSettings;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.history.Outcome;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "status", description = {"First, per server: whether it can be restored (restorable, at risk, NOT "
        + "restorable, and why), to when (Barman's newest WAL; the offsite copy's own), the RPO now and the restore test "
        + "that last proved it, as the morning report and the metric barmand_restorable give it. Then per server: last run of each job and its outcome, next fire times, "
        + "the last backup and its age, and Barman's own catalogue (barman -f json list-backups, show-servers, "
        + "show-backup): its backups, the newest and the oldest, the recovery window reached, Barman's retention_policy, "
        + "the WAL range, and the backups made outside barmand. Reads the history store, the configuration and Barman, "
        + "and says whether the daemon answers on its control socket.",
        "When the configuration file is broken: one warning line on stderr naming the problem, then the same from the "
        + "settings barmand last started with (STATE-DIR/" + LastGood.FILE + "), or from the history alone."},
        exitCodeListHeading = "%nExit codes of status (without --check):%n",
        exitCodeList = {"0:the newest ended run of every backup, offsite, restore-test, verify and retention job succeeded",
                "1:the newest ended run of one of them, for some server, failed or was interrupted (the text's last line "
                        + "names them; --json: failedJobs)",
                "74:the history cannot be read",
                "78:--check only: the configuration file is broken (--check's own codes: see --check)"})
final class StatusCommand implements Callable<Integer> {
    /** The jobs whose last run decides the exit code: a failure of check or switch-wal is the next one's to tell. */
    static final List<JobKind> DECIDING = List.of(JobKind.BACKUP, JobKind.OFFSITE, JobKind.RESTORE_TEST, JobKind.VERIFY,
            JobKind.RETENTION);

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "one JSON object instead of the table (docs/CONTRACTS.md)")
    boolean json;

    @Option(names = "--wide", description = "every column in full (trigger, duration, exact times, whole figures), "
            + "lines as long as they come; without it the text fits " + Tables.COLUMNS + " columns")
    boolean wide;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER",
            description = "one server of the configuration only (without it: every server and the jobs of the host)")
    String only;

    @Option(names = "--check", description = "one line and the exit code of a Nagios plugin: 0 OK, 1 WARNING, 2 CRITICAL "
            + "(the problems of the morning report)")
    boolean check;

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        if (check) {
            Settings s = Settings.load(main.configFile(), null);
            RunStore store = Files.exists(s.stateDir().resolve(RunStore.FILE)) ? RunStore.open(s.stateDir(), false) : null;
            return check(s, store, now);
        }
        LastGood.Loaded loaded = LastGood.load(main.configFile(), null);
        loaded.warning().ifPresent(w -> Main.report(spec.commandLine().getErr(), w));
        Optional<Settings> settings = loaded.settings();
        RunStore store = Files.exists(loaded.stateDir().resolve(RunStore.FILE)) ? RunStore.open(loaded.stateDir(), false) : null;
        try {
            ObjectNode root = RunJson.MAPPER.createObjectNode();
            root.put("now", now.toString());
            root.put("daemonLastStart", store == null ? null : store.lastDaemonStart().map(Instant::toString).orElse(null));
            root.put("settings", loaded.source().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            root.put("configWarning", loaded.warning().orElse(null));
            ArrayNode servers = root.putArray("servers");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"SERVER", "JOB", "SCHEDULE", "LAST RUN", "TRIGGER", "OUTCOME", "TOOK", "NEXT RUN",
                "FIGURES / ERROR", "LAST RUN", "NEXT RUN"});
            List<String> backups = new ArrayList<>();
            List<RunRecord> failing = new ArrayList<>();
            BarmanClient barman = settings.map(s -> Services.barman(s, Services.commands(s, java.time.Clock.systemUTC())))
                    .orElse(null);
            Optional<Instant> historySince = store == null ? Optional.empty() : store.oldestRunStart();
            List<String> names = settings.map(s -> List.copyOf(s.servers().keySet()))
                    .orElseGet(() -> store == null ? List.of() : store.servers());
            if (only != null) {
                if (!names.contains(only)) {
                    throw new BarmandException(io.barmand.error.Category.USAGE, "unknown server '" + only + "'"
                            + io.barmand.config.Near.suggestion(only, names)
                            + (names.isEmpty() ? ": no server is configured" : ": known: " + String.join(", ", names)));
                }
                names = List.of(only);
            }
            // first: whether the daemon runs; without it nothing fires, so no next-run time is shown as if it would
            Daemon d = daemon(root.putObject("daemon"), settings.map(Settings::controlSocket)
                    .orElseGet(() -> LifecycleCommands.socket(main.configFile())));
            java.time.ZoneId hostZone = settings.map(Settings::hostTimezone).orElse(java.time.ZoneId.systemDefault());
            // Barman's catalogue of every server at once: two Python starts of Barman however many servers
            Map<String, BarmanClient.Catalogued> catalogues = Map.of();
            String cataloguesError = null;
            if (barman != null) {
                try {
                    catalogues = barman.catalogues(names, settings.get().probeTimeout());
                } catch (BarmandException e) {
                    cataloguesError = e.getMessage();
                }
            }
            // restorability first: the health evaluation's verdict of each server, as the report and the metrics give it
            List<io.barmand.health.Restorability> restorability = restorability(settings, store, barman, now).stream()
                    .filter(r -> only == null || r.server().equals(only)).toList();
            ArrayNode ra = root.putArray("restorability");
            restorability.forEach(r -> io.barmand.report.ReportJson.restorability(ra.addObject(), r));
            for (String name : names) {
                ServerSettings ss = settings.map(s -> s.servers().get(name)).orElse(null);
                ObjectNode so = servers.addObject();
                so.put("server", name);
                so.put("timezone", ss == null ? null : ss.timezone().getId());
                ArrayNode jobs = so.putArray("jobs");
                for (JobKind k : JobKind.values()) {
                    JobSettings js = ss == null ? null : ss.job(k);
                    if (k.host() || (ss != null && js == null)
                            || (ss == null && (store == null || store.lastRun(name, k.id(), true).isEmpty()))) {
                        continue;
                    }
                    job(store, name, k, js, k == JobKind.RESTORE_TEST && ss != null ? ss.restoreFromS3() : Optional.empty(),
                            now, jobs, rows, ss == null ? null : chained(ss, k, js), ss == null ? hostZone : ss.timezone(),
                            d.answering());
                    if (DECIDING.contains(k) && store != null) {
                        store.lastEnded(name, k.id()).filter(r -> r.outcome() == Outcome.FAILED || r.outcome() == Outcome.INTERRUPTED)
                                .ifPresent(failing::add);
                    }
                }
                Optional<RunRecord> lb = store == null ? Optional.empty() : store.lastSuccessfulBackup(name);
                if (lb.isPresent()) {
                    RunRecord b = lb.get();
                    Instant end = b.ended() == null ? b.started() : b.ended();
                    ObjectNode bo = so.putObject("lastBackup");
                    bo.put("backupId", b.backupId());
                    bo.put("ended", end.toString());
                    bo.put("ageSeconds", Duration.between(end, now).getSeconds());
                    bo.put("sizeBytes", b.sizeBytes());
                } else {
                    so.putNull("lastBackup");
                }
                // Barman's own catalogue beside barmand's records
                Optional<BarmanCatalogue> cat = Optional.empty();
                String error = null;
                if (barman == null) {
                    error = "not asked: no settings (the configuration is broken)";
                } else if (cataloguesError != null) {
                    error = cataloguesError;
                } else {
                    cat = catalogues.get(name).catalogue();
                    error = catalogues.get(name).error();
                }
                CatalogueView view = new CatalogueView(name, cat, error, store == null ? java.util.Set.of() : store.backupIds(name),
                        historySince, lb, now, ss == null ? hostZone : ss.timezone());
                view.json(so);
                backups.addAll(view.lines());
                // offsite: the last finished copy run names the backup in S3, the newest WAL there and the lag
                Optional<RunRecord> lo = store == null ? Optional.empty() : store.lastRun(name, JobKind.OFFSITE.id(), false);
                if (lo.isPresent() && !lo.get().outcome().open()) {
                    RunRecord o = lo.get();
                    ObjectNode oo = so.putObject("lastOffsite");
                    oo.put("runId", o.id());
                    oo.put("outcome", o.outcome().word());
                    oo.put("backupId", o.backupId());
                    oo.put("detail", o.detail());
                    oo.put("error", o.error());
                    backups.add(name + ": offsite (run " + o.id() + ", " + o.outcome().word() + ", "
                            + Tables.time(o.ended() == null ? o.started() : o.ended(), ss == null ? hostZone : ss.timezone()) + "): "
                            + (o.detail() != null ? o.detail() : "") + (o.error() != null ? " error: " + o.error() : ""));
                }
            }
            // jobs of the host: one row each, no server
            ArrayNode host = root.putArray("hostJobs");
            if (only != null) {
                // one server asked for: not the host's jobs
            } else if (settings.isPresent()) {
                settings.get().hostJobs().forEach((k, js) -> job(store, "", k, js, Optional.empty(), now, host, rows,
                        null, hostZone, d.answering()));
            } else {
                for (JobKind k : JobKind.values()) {
                    if (k.host() && store != null && store.lastRun("", k.id(), true).isPresent()) {
                        job(store, "", k, null, Optional.empty(), now, host, rows, null, hostZone, d.answering());
                    }
                }
            }
            ArrayNode failed = root.putArray("failedJobs");
            for (RunRecord r : failing) {
                ObjectNode f = failed.addObject();
                f.put("server", r.server());
                f.put("job", r.job());
                f.put("runId", r.id());
                f.put("outcome", r.outcome().word());
            }
            int exit = failing.isEmpty() ? 0 : 1;
            root.put("exitCode", exit);
            if (json) {
                spec.commandLine().getOut().println(RunJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } else {
                int width = wide ? Integer.MAX_VALUE : Tables.COLUMNS;
                StringBuilder text = new StringBuilder();
                text.append(Tables.fit(d.line(hostZone, now), width)).append("\n\n");
                if (!restorability.isEmpty()) {
                    text.append(Tables.fit(io.barmand.report.ReportText.restorability(restorability, hostZone, now), width))
                            .append("\n\n");
                }
                text.append(Tables.render(narrow(rows, d.answering()), width)).append('\n');
                backups.forEach(l -> text.append(Tables.fit(l, width)).append('\n'));
                if (!failing.isEmpty()) {
                    text.append(Tables.fit("FAILED (exit 1): " + String.join(", ", failing.stream()
                            .map(r -> r.server() + " " + r.job() + " (run " + r.id() + ", " + r.outcome().word() + " "
                                    + Tables.time(r.ended() == null ? r.started() : r.ended(), zoneOf(settings, r.server(), hostZone))
                                    + ")").toList()), width))
                            .append('\n');
                }
                spec.commandLine().getOut().print(text);
            }
            spec.commandLine().getOut().flush();
            return exit;
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Each server's restorability (none without settings or history: nothing to evaluate). */
    private static List<io.barmand.health.Restorability> restorability(Optional<Settings> settings, RunStore store,
                                                                       BarmanClient barman, Instant now) {
        if (settings.isEmpty() || store == null || barman == null) {
            return List.of();
        }
        return Services.health(settings.get(), store, barman).evaluate(now, settings.get().report().window()).servers()
                .stream().map(io.barmand.health.ServerHealth::restorability).toList();
    }

    /**
     * What the daemon's control socket said to a ping: who answers (pid, since, version), or why nobody does.
     *
     * @param error why it does not answer; null when it does
     */
    record Daemon(java.nio.file.Path socket, boolean answering, long pid, Instant since, String version, String error) {
        /** The first line of status: running (pid, since, up, version) or NOT running, and what that means. */
        String line(java.time.ZoneId zone, Instant now) {
            if (answering) {
                return "daemon: running, pid " + pid + (since == null ? "" : ", since " + io.barmand.vocabulary.TimeText
                        .at(since, zone) + " (up " + io.barmand.vocabulary.TimeText.duration(Duration.between(since, now))
                        + ")") + ", version " + version + ", socket " + socket;
            }
            return "daemon: NOT running: " + error + "\n  no job runs until it is started (systemctl start barmand): "
                    + "no next run is shown";
        }
    }

    /**
     * Whether the daemon answers on its control socket (a ping, 2 s to connect, 5 s to answer): a daemon whose socket
     * is deaf shows here, not as a run-now that hangs. Fills {@code o}.
     */
    static Daemon daemon(ObjectNode o, java.nio.file.Path socket) {
        o.put("socket", socket.toString());
        try {
            var r = io.barmand.control.ControlClient.request(socket, RunJson.MAPPER.createObjectNode().put("op", "ping"),
                    Duration.ofSeconds(2), Duration.ofSeconds(5));
            Instant since = r.hasNonNull("since") ? Instant.parse(r.path("since").asText()) : null;
            String version = r.path("version").asText("unknown");
            o.put("answering", true).put("pid", r.path("pid").asLong()).put("since", since == null ? null : since.toString())
                    .put("version", version);
            return new Daemon(socket, true, r.path("pid").asLong(), since, version, null);
        } catch (BarmandException e) {
            o.put("answering", false).put("error", e.getMessage());
            return new Daemon(socket, false, 0, null, null, e.getMessage());
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
            BarmanClient barman = Services.barman(s, Services.commands(s, java.time.Clock.systemUTC()));
            io.barmand.health.HealthReport h = Services.health(s, store, barman).evaluate(now, s.report().window());
            out.println("BARMAND " + h.severity().word() + " - " + h.verdict().replaceFirst("^(OK|FAILED|WARNING): ", "") + " | problems=" + h.problems().size()
                    + " missed=" + h.missed().size());
            for (io.barmand.health.Problem p : h.problems()) {
                out.println(String.format("%-8s", p.severity().word()) + " " + (p.server().isEmpty() ? "" : p.server() + ": ") + p.text());
            }
            out.flush();
            return h.severity().exitCode();
        }
    }

    /**
     * One job's row and JSON object: its last run and next fire time (server "" = a job of the host; {@code js} null
     * when only the history is known: schedule and next fire unknown).
     */
    /**
     * The words of a job that also runs after each backup (offsite when enabled; retention with after-backup):
     * "after each backup", or "hourly at :00, and after each backup"; null for the others.
     */
    static String chained(ServerSettings ss, JobKind k, JobSettings js) {
        boolean after = switch (k) {
            case OFFSITE -> ss.offsite() != null && ss.offsite().enabled();
            case RETENTION -> ss.retention().map(r -> r.afterBackup()).orElse(false);
            default -> false;
        };
        if (!after) {
            return null;
        }
        return js != null && js.enabled() ? js.scheduleWords() + ", and after each backup" : "after each backup";
    }

    /** {@code fromS3}: a restore test's second schedule, whose words follow the first's and whose fire may be next. */
    private static void job(RunStore store, String server, JobKind k, JobSettings js,
                            Optional<io.barmand.config.Schedule> fromS3, Instant now, ArrayNode out, List<String[]> rows,
                            String chainedWords, java.time.ZoneId zone, boolean daemonRuns) {
        String words = chainedWords != null ? chainedWords : js == null ? null
                : js.scheduleWords() + fromS3.map(sc -> "; from S3 " + sc.describe()).orElse("");
        Optional<RunRecord> last = store == null ? Optional.empty() : store.lastRun(server, k.id(), true);
        Instant next = js == null ? null : next(js, now);
        Instant nextS3 = fromS3.flatMap(sc -> sc.next(now)).orElse(null);
        if (nextS3 != null && (next == null || nextS3.isBefore(next))) {
            next = nextS3;
        }
        ObjectNode jo = out.addObject();
        jo.put("job", k.id());
        jo.put("schedule", js == null ? null : js.scheduleText());
        jo.put("scheduleInWords", words);
        fromS3.ifPresent(sc -> {
            jo.put("s3Schedule", sc.expression());
            jo.put("s3ScheduleInWords", sc.describe());
        });
        jo.put("nextFire", next == null ? null : next.toString());
        jo.set("lastRun", last.map(r -> (com.fasterxml.jackson.databind.JsonNode) RunJson.toJson(r)).orElse(null));
        Instant nextFire = next;
        // the wide columns, then the narrow ones: times as "3h 5m ago" / "in 2h" (the wide form gives them exactly)
        rows.add(new String[] {server.isEmpty() ? "-" : server, k.id(), words == null ? "?" : words,
                last.map(r -> io.barmand.vocabulary.TimeText.at(r.started(), zone)).orElse("-"),
                last.map(r -> r.trigger().word()).orElse("-"), last.map(r -> r.outcome().word()).orElse("never"),
                last.map(r -> Tables.took(r.durationMs())).orElse("-"),
                !daemonRuns ? "-" : nextFire == null ? "-" : io.barmand.vocabulary.TimeText.at(nextFire, zone),
                last.map(Tables::figures).orElse(""),
                last.map(r -> io.barmand.vocabulary.TimeText.relative(r.started(), now)).orElse("-"),
                !daemonRuns || nextFire == null ? "-" : io.barmand.vocabulary.TimeText.relative(nextFire, now)});
    }

    /**
     * The table as shown: wide, every column with exact times; narrow (the default), SERVER JOB SCHEDULE LAST RUN
     * OUTCOME NEXT RUN FIGURES with relative times. Without a daemon, no NEXT RUN column: nothing fires.
     */
    List<String[]> narrow(List<String[]> rows, boolean daemonRuns) {
        int[] cols = wide ? new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8} : new int[] {0, 1, 2, 9, 5, 10, 8};
        List<String[]> out = new ArrayList<>();
        for (String[] r : rows) {
            List<String> cells = new ArrayList<>();
            for (int c : cols) {
                if (!daemonRuns && (c == 7 || c == 10)) {
                    continue;
                }
                cells.add(r[c]);
            }
            out.add(cells.toArray(String[]::new));
        }
        return out;
    }

    /** The server's configured zone, else the host's. */
    private static java.time.ZoneId zoneOf(Optional<Settings> settings, String server, java.time.ZoneId host) {
        return settings.map(s -> s.servers().get(server)).map(ServerSettings::timezone).orElse(host);
    }

    static Instant next(JobSettings js, Instant now) {
        return js.schedule().flatMap(sc -> sc.next(now)).orElse(null);
    }
}
