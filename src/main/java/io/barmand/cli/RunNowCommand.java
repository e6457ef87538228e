package io.barmand.cli;

import io.barmand.config.Names;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.JobKind;
import io.barmand.job.RunOptions;
import io.barmand.config.Settings;
import io.barmand.control.ControlClient;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunJson;
import io.barmand.history.RunRecord;
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
        + "69 daemon not reachable. Ctrl-C stops the waiting, not the run (exit 130, saying how to follow it).")
final class RunNowCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", completionCandidates = JobNames.class,
            description = "the job: ${COMPLETION-CANDIDATES} (switch-xlog: switch-wal)")
    String job;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SERVER",
            description = "a server of the configuration (none for a job of the host: prune-history, report)")
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

    @Option(names = "--from", paramLabel = "SOURCE", description = "restore-test only: read the backup from barman "
            + "(barman recover) or s3 (the offsite copy) for this run, whatever restore-test.source says")
    String from;

    @Option(names = "--allow-mass-delete", description = "retention only: for this run, lift the guards on how many "
            + "backups one run deletes (max-deletes-per-run, more than half); the clock guard and every rail still apply")
    boolean allowMassDelete;

    /** How long run-now waits without a line from the daemon (it sends one every 15 s). */
    static final java.time.Duration RUN_NOW_SILENCE = java.time.Duration.ofSeconds(60);

    @Override
    public Integer call() throws Exception {
        JobKind kind = kind(job);
        if (kind.host() && server != null) {
            // `run-now prune-history X`: X is not a server; say so rather than taking it for one
            throw new BarmandException(Category.USAGE, "job '" + job + "' is a job of the host: it takes no SERVER");
        }
        if (!kind.host() && server == null) {
            throw new BarmandException(Category.USAGE, "job '" + job + "' needs a SERVER");
        }
        if (server == null) {
            server = "";
        } else {
            Names.server(server);
        }
        RunOptions options = options(kind);
        Settings s = Settings.load(main.configFile(), null);
        refuseWhatCannotRun(s, kind, options);
        ObjectNode req = RunJson.MAPPER.createObjectNode().put("op", "run-now").put("job", kind.id()).put("server", server);
        if (!options.isEmpty()) {
            ObjectNode o = req.putObject("options");
            options.toMap().forEach(o::put);
        }
        // however long the run waits and runs, the daemon sends a keepalive line every 15 s: a minute of silence is a
        // daemon that no longer answers
        JsonNode resp;
        // Ctrl-C (or the terminal closing) ends this command only: the run is the daemon's and goes on; say so and how
        // to follow it, on the way out (the exit code stays the signal's, 130 for Ctrl-C)
        java.util.concurrent.atomic.AtomicBoolean waiting = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.io.PrintWriter err = spec.commandLine().getErr();
        Thread onSignal = new Thread(() -> {
            if (waiting.get()) {
                Main.report(err, leftWords(kind, server));
            }
        }, "run-now-left");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            resp = ControlClient.request(s.controlSocket(), req, RUN_NOW_SILENCE);
        } finally {
            waiting.set(false);
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (or has run), waiting already false if the answer came
            }
        }
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

    /**
     * A server the configuration lacks, or a job that is off for the server (offsite, retention, a restore test from
     * S3 without offsite): a usage error naming the key that turns it on, before the daemon is asked, so nothing is
     * recorded (the daemon refuses them too).
     */
    void refuseWhatCannotRun(Settings s, JobKind kind, RunOptions options) {
        if (kind.host()) {
            return;
        }
        io.barmand.config.ServerSettings ss = s.servers().get(server);
        if (ss == null) {
            throw new BarmandException(Category.USAGE, "unknown server '" + server + "'"
                    + io.barmand.config.Near.suggestion(server, List.copyOf(s.servers().keySet()))
                    + (s.servers().isEmpty() ? ": no server is configured in " + s.file()
                        : ": configured: " + String.join(", ", s.servers().keySet())));
        }
        ss.offBecause(kind, options.source()).ifPresent(why -> {
            throw new BarmandException(Category.USAGE, why + "; nothing run, nothing recorded");
        });
    }

    /** What run-now says when it is stopped while it waits (Ctrl-C): the run goes on, and how to follow it. */
    static String leftWords(JobKind kind, String server) {
        String who = server.isEmpty() ? kind.id() : kind.id() + " " + server;
        String filter = server.isEmpty() ? "--job " + kind.id() : "--server " + server + " --job " + kind.id();
        return "stopped waiting; the " + who + " run goes on in the daemon (it is not cancelled). Follow it with "
                + "`barmand status` and `journalctl -u barmand -f`; once it has ended: `barmand history " + filter
                + " --limit 1`";
    }

    /** The run's options, checked here so that a bad one exits 64 without asking the daemon. */
    RunOptions options(JobKind kind) {
        if (allowMassDelete && kind != JobKind.RETENTION) {
            throw new BarmandException(Category.USAGE, "--allow-mass-delete is for run-now retention only, not " + job);
        }
        if (kind == JobKind.RETENTION && allowMassDelete) {
            if (target != null || backupId != null || argument != null || from != null) {
                throw new BarmandException(Category.USAGE, "retention takes no BACKUP_ID, --target, --backup-id or --from");
            }
            return RunOptions.NONE.withAllowMassDelete();
        }
        if (kind != JobKind.RESTORE_TEST) {
            if (target != null || backupId != null || from != null) {
                throw new BarmandException(Category.USAGE, "--target, --backup-id and --from are for run-now restore-test only, not " + job);
            }
            if (argument != null && kind != JobKind.OFFSITE) {
                throw new BarmandException(Category.USAGE, "job '" + job + "' takes no BACKUP_ID (only offsite does)");
            }
            if (argument != null && !argument.matches("[0-9]{8}T[0-9]{6}")) {
                throw new BarmandException(Category.USAGE, "'" + argument + "' is not a Barman backup id (like 20261124T010203)");
            }
            return RunOptions.backup(argument);
        }
        if (argument != null) {
            throw new BarmandException(Category.USAGE, "restore-test takes the backup as --backup-id ID, not as '" + argument + "'");
        }
        return RunOptions.parse(backupId, target, from);
    }

    /** The kind of a job name as typed (an old name such as switch-xlog included); else a usage error naming the near one. */
    static JobKind kind(String typed) {
        return JobKind.byId(typed).orElseThrow(() -> new BarmandException(Category.USAGE, "unknown job '" + typed + "'"
                + io.barmand.config.Near.suggestion(typed, java.util.Arrays.stream(JobKind.values()).map(JobKind::id).toList())
                + ": one of " + JobKind.ids()));
    }

    static int exitCode(Outcome o) {
        return switch (o) {
            case SUCCESS -> 0;
            case FAILED -> Category.JOB_FAILED.exitCode();
            case SKIPPED, INTERRUPTED, RUNNING, QUEUED -> Category.BUSY.exitCode();
        };
    }
}
