package io.barmand.cli;

import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.process.CommandRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "check-config", description = "Validate the configuration (asks Barman which servers it knows) "
        + "and print the effective configuration, secrets masked. Exit 78 naming key and file when wrong.")
final class CheckConfigCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Settings s = Settings.load(main.configFile(), BarmanClient.catalog(new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(5))));
        spec.commandLine().getOut().println("# " + s.file() + ": OK, " + s.servers().size() + " server(s): "
                + String.join(", ", s.servers().keySet()));
        if (!s.included().isEmpty()) {
            spec.commandLine().getOut().println("# then, in this order: " + String.join(", ",
                    s.included().stream().map(java.nio.file.Path::toString).toList()));
        }
        spec.commandLine().getOut().print(s.dump());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
