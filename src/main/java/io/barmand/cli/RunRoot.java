package io.barmand.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root of {@code barmand run} alone: the daemon's command line with its one command. picocli builds the model of
 * every command a root names, reading their annotations (with {@link Main}'s 14 commands, ~140 ms of the main thread's
 * CPU before the daemon's start, a sixth of it at 200 servers); the daemon needs {@code run}'s. The same root
 * options as {@link Main} ({@code --config}, help, version), the same handlers ({@link Main#configure});
 * {@code RunRootTest} checks that both models say the same of {@code run}.
 */
@Command(name = "barmand", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, scope = ScopeType.INHERIT,
        description = Main.DESCRIPTION, subcommands = RunCommand.class, footer = {"", Main.EXIT_CODES})
final class RunRoot implements ConfigOption {
    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "configuration file (default: $BARMAND_CONFIG or " + Main.DEFAULT_CONFIG + ")")
    Path config;

    @Override
    public Path configFile() {
        return Main.configFile(config);
    }

    /** {@code barmand ... run ...}'s command line. */
    static CommandLine commandLine() {
        return Main.configure(new CommandLine(new RunRoot()));
    }
}
