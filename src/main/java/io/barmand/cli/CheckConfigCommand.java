package io.barmand.cli;

import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "check-config", description = "Validate the configuration (asks Barman which servers it knows) "
        + "and print the effective configuration, secrets masked. Exit 78 naming key and file when wrong; what is allowed "
        + "but probably not meant (no server configured, an empty mail.to) is a warning on stderr, exit 0.")
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
        // allowed but probably not meant (no server: the daemon idles; no mail.to): said as the daemon logs them, exit 0
        s.warnings().forEach(w -> Main.report(spec.commandLine().getErr(), "warning: " + w));
        if (!s.included().isEmpty()) {
            spec.commandLine().getOut().println("# then, in this order: " + String.join(", ",
                    s.included().stream().map(java.nio.file.Path::toString).toList()));
        }
        // said, not failed: an identity of other recipients still opens the older copies encrypted to it
        s.offsite().values().forEach(o -> o.encryption().warning().ifPresent(w ->
                Main.report(spec.commandLine().getErr(), "warning: " + s.file() + ": " + w)));
        if ("root".equals(System.getProperty("user.name"))) {
            // root reads everything: say what the daemon's user could not (HOCON would have skipped an include silently)
            String user = daemonUser(s);
            CommandRunner runner = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(5));
            List<String> cannot = new ArrayList<>();
            List<Path> files = new ArrayList<>(s.filesRead());
            files.addAll(s.filesNamed());
            for (Path f : files.stream().distinct().toList()) {
                if (java.nio.file.Files.exists(f) && !readableBy(runner, user, f)) {
                    cannot.add(f + ": the daemon's user " + user + " cannot read it (check-config runs as root): "
                            + "chmod/chgrp it (0640 root:" + user + ")");
                }
            }
            // said, not failed: root's view of a test box (a private temporary folder) is no daemon's
            cannot.forEach(c -> Main.report(spec.commandLine().getErr(), "warning: " + c));
        }
        spec.commandLine().getOut().print(s.dump());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The user the daemon runs as: the owner of the state dir when it is there and not root, else barman (the unit's). */
    static String daemonUser(Settings s) {
        try {
            String owner = java.nio.file.Files.getOwner(s.stateDir()).getName();
            if (!owner.equals("root")) {
                return owner;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // below
        }
        return "barman";
    }

    /** True when {@code user} can read {@code f} (the kernel says: runuser ... test -r); true when that cannot be told. */
    static boolean readableBy(CommandRunner runner, String user, Path f) {
        try {
            CommandResult r = runner.run(List.of("runuser", "-u", user, "--", "test", "-r", f.toString()), Duration.ofSeconds(10));
            return r.exitCode() == 0 || !r.stderrTail().isBlank(); // runuser's own complaint (no such user): unknown
        } catch (BarmandException e) {
            return true; // no runuser
        }
    }
}
