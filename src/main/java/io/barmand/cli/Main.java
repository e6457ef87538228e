package io.barmand.cli;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.log.JournalPrefix;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code barmand}: the root command; the work is in the subcommands. */
@Command(name = "barmand", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, scope = ScopeType.INHERIT,
        description = "Drives Barman on schedules, records every run and tells.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, StatusCommand.class, HistoryCommand.class,
                RunNowCommand.class, LifecycleCommands.Reload.class, LifecycleCommands.RestartWhenIdle.class, OffsiteCommand.class, RetentionCommand.class, RestoreCommand.class, WalRestoreCommand.class, ReportCommand.class,
                WarmUpCommand.class, FleetCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 job failed, 64 usage, 69 unavailable, 70 internal, 74 I/O,"
                + " 75 busy/interrupted, 78 configuration."})
public final class Main implements Runnable {
    public static final String DEFAULT_CONFIG = "/etc/barmand/barmand.conf";

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "configuration file (default: $BARMAND_CONFIG or " + DEFAULT_CONFIG + ")")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Path configFile() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("BARMAND_CONFIG");
        return Path.of(env != null && !env.isBlank() ? env : DEFAULT_CONFIG);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        String command = command(args);
        if (command.equals("wal-restore") || command.equals("restore")) {
            // stdout is the command's own (restore's report; for wal-restore, PostgreSQL's log): logs go to stderr,
            // and wal-restore, run once per WAL file, logs only warnings (a retried S3 call) and errors
            System.setProperty("barmand.log.target", "System.err");
            if (command.equals("wal-restore") && System.getProperty("barmand.log.level") == null) {
                System.setProperty("barmand.log.level", "WARN");
            }
        }
        System.exit(execute(args));
    }

    /** The subcommand named on the command line: its first word that is neither an option nor --config's value. */
    static String command(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return "";
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line (exception handler, exit codes); tests set its out and err. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            int code;
            if (ex instanceof BarmandException be) {
                code = be.exitCode();
                report(line.getErr(), be.getMessage());
            } else {
                code = Category.INTERNAL.exitCode();
                LoggerFactory.getLogger(Main.class).error("internal error", ex);
                report(line.getErr(), "internal error: " + ex);
            }
            return code;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("barmand: " + ex.getMessage());
            // a mistyped command or option ("stauts"): picocli's nearest names rather than the whole usage
            if (!(ex instanceof CommandLine.UnmatchedArgumentException u
                    && CommandLine.UnmatchedArgumentException.printSuggestions(u, c.getErr()))) {
                c.usage(c.getErr());
            }
            c.getErr().flush();
            return Category.USAGE.exitCode();
        });
        cl.setExitCodeExceptionMapper(t -> t instanceof BarmandException be ? be.exitCode() : Category.INTERNAL.exitCode());
        return cl;
    }

    /** An error for humans on stderr; under journald each line carries priority err. */
    static void report(PrintWriter err, String message) {
        String prefix = JournalPrefix.underJournald() ? "<3>" : "";
        for (String l : message.split("\n")) {
            err.println(prefix + "barmand: " + l);
        }
        err.flush();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"barmand " + io.barmand.daemon.Daemon.VERSION};
        }
    }
}
