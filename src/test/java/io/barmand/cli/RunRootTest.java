package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The daemon's command line ({@link RunRoot}: `run` alone) says and reads what {@link Main}'s says of `run`. */
class RunRootTest {
    static String out(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return code + "\n" + out + "\nerr: " + err;
    }

    @Test
    void runsHelpAndItsMistakesAreThoseOfTheFullCommandLine() {
        for (List<String> args : List.of(List.of("run", "--help"), List.of("--config", "/x.conf", "run", "-h"),
                List.of("run", "--no-such-option"), List.of("run", "extra"))) {
            String[] a = args.toArray(String[]::new);
            assertThat(out(RunRoot.commandLine(), a)).as(String.join(" ", args)).isEqualTo(out(Main.commandLine(), a));
        }
        assertThat(out(RunRoot.commandLine(), "run", "--help")).contains("Usage: barmand run ").contains("--config=FILE");
    }

    @Test
    void configIsReadBeforeOrAfterRunAndDefaultsAsMainSays() {
        for (List<String> args : List.of(List.of("--config", "/etc/x.conf", "run"), List.of("run", "--config", "/etc/x.conf"))) {
            CommandLine cl = RunRoot.commandLine();
            CommandLine.ParseResult r = cl.parseArgs(args.toArray(String[]::new));
            RunCommand run = r.subcommand().commandSpec().commandLine().getCommand();
            assertThat(run.main.configFile()).as(String.join(" ", args)).isEqualTo(Path.of("/etc/x.conf"));
        }
        CommandLine cl = RunRoot.commandLine();
        RunCommand run = cl.parseArgs("run").subcommand().commandSpec().commandLine().getCommand();
        assertThat(run.main.configFile()).isEqualTo(new Main().configFile());
    }
}
