package io.barmand.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.LastGood;
import io.barmand.config.Settings;
import io.barmand.control.ControlClient;
import io.barmand.control.Lifecycle;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code barmand reload} and {@code barmand restart-when-idle}: the daemon's life, asked through its control socket. */
final class LifecycleCommands {
    private LifecycleCommands() {
    }

    /**
     * The daemon's control socket: from the file, or, when the file is broken (a reload is how the admin learns
     * it), from the settings the daemon last took (last-good.conf), else reference.conf's default.
     */
    static Path socket(Path configFile) {
        try {
            LastGood.Loaded l = LastGood.load(configFile, null);
            if (l.settings().isPresent()) {
                return l.settings().get().controlSocket();
            }
        } catch (BarmandException e) {
            // the default below
        }
        return Path.of(com.typesafe.config.ConfigFactory.parseResources(Settings.class.getClassLoader(), "reference.conf")
                .getString(Settings.ROOT + ".control-socket"));
    }

    /**
     * Asks the daemon; an error answer is thrown in its category.
     *
     * @param answer how long the daemon may take to answer (a reload reads the files and asks Barman: probe-timeout)
     */
    static JsonNode ask(Path socket, ObjectNode req, java.time.Duration answer) {
        JsonNode resp = ControlClient.request(socket, req, answer);
        if (!resp.path("ok").asBoolean()) {
            throw new BarmandException(Category.byWord(resp.path("category").asText("")),
                    resp.path("error").asText("unknown error"));
        }
        return resp;
    }

    @Command(name = "reload", description = {"Make the running daemon read its configuration again (the main file and "
            + "conf.d), as SIGHUP and `systemctl reload barmand` do. A file with problems is refused: each problem is "
            + "printed (and logged by the daemon), the settings in force stay. A good file replaces the schedules and "
            + "the jobs' settings; runs in progress are not interrupted and finish with the settings they started "
            + "with. Settings read only at the start (state-dir, control-socket, scheduler.threads, "
            + "scheduler.misfire-threshold, metrics) are named: they need a restart."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:reloaded", "69:the daemon is not running", "78:refused: the configuration has problems"})
    static final class Reload implements Callable<Integer> {
        @ParentCommand
        Main main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            JsonNode r = ask(socket(main.configFile()), RunJson.MAPPER.createObjectNode().put("op", "reload"),
                    java.time.Duration.ofMinutes(3));
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!r.path("reloaded").asBoolean()) {
                err.println("barmand: reload refused, the settings in force stay:");
                r.path("problems").forEach(p -> err.println("  " + p.asText()));
                err.flush();
                return Category.CONFIG.exitCode();
            }
            out.println("reloaded: " + r.path("jobs").asInt() + " jobs scheduled");
            r.path("needRestart").forEach(p -> out.println("needs a restart: " + p.asText()));
            out.flush();
            return 0;
        }
    }

    @Command(name = "restart-when-idle", description = {"Ask the running daemon to restart once no backup, offsite "
            + "copy or retention run is running (the package's postinst does, on an upgrade). Nothing of the kind "
            + "running: prints `idle` and exits 0, the restart is yours (systemctl restart barmand). Else prints what it "
            + "waits for and exits 75: backups, copies, restore tests, verify and retention runs are held back, and once "
            + "the running ones have ended the daemon exits with code 75, which the unit restarts (RestartForceExitStatus=75)."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:idle: nothing deferred", "69:the daemon is not running or does not know this request",
                    "75:deferred: the daemon restarts itself once the runs printed have ended"})
    static final class RestartWhenIdle implements Callable<Integer> {
        @ParentCommand
        Main main;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--by", paramLabel = "WHO", description = "who asks, for the daemon's log (default: restart-when-idle)")
        String by = "barmand restart-when-idle";

        @Override
        public Integer call() {
            JsonNode r;
            try {
                r = ask(socket(main.configFile()), RunJson.MAPPER.createObjectNode().put("op", "restart-when-idle").put("by", by),
                        java.time.Duration.ofSeconds(60));
            } catch (BarmandException e) {
                if (e.category() == Category.USAGE) {
                    // a daemon older than this request
                    throw new BarmandException(Category.UNAVAILABLE, "the running daemon cannot defer its restart: " + e.getMessage());
                }
                throw e;
            }
            PrintWriter out = spec.commandLine().getOut();
            if (r.path("waitingFor").isEmpty()) {
                out.println("idle");
                out.flush();
                return 0;
            }
            StringBuilder b = new StringBuilder();
            r.path("waitingFor").forEach(w -> b.append(b.length() == 0 ? "" : ", ").append(w.asText()));
            out.println("restart deferred until " + b + " ended");
            out.flush();
            return Lifecycle.EXIT_RESTART;
        }
    }
}
