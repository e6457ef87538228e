package io.barmand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Help on every command: {@code --help}, {@code -h} and {@code barmand help COMMAND}, exit 0, everything described. */
class HelpTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Every command's words on the command line: [], [run], ..., [offsite, verify]. */
    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        walk(Main.commandLine(), new ArrayList<>(), all);
        return all;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            walk(e.getValue(), p, all);
        }
    }

    @Test
    void everyCommandHasHelpThatExitsZero() {
        List<List<String>> commands = commands();
        // the root, its 11 commands, help, and offsite verify: a command added later is walked too
        assertThat(commands).contains(List.of(), List.of("run"), List.of("status"), List.of("history"), List.of("run-now"),
                List.of("check-config"), List.of("help"), List.of("offsite", "verify"), List.of("restore"), List.of("wal-restore"));
        for (List<String> c : commands) {
            for (String flag : List.of("--help", "-h")) {
                List<String> args = new ArrayList<>(c);
                args.add(flag);
                assertThat(run(args.toArray(String[]::new))).as(String.join(" ", args)).isZero();
                // picocli's own help command puts a line before its usage
                assertThat(out.toString()).as(String.join(" ", args))
                        .containsPattern("(?m)^Usage: " + java.util.regex.Pattern.quote(String.join(" ", prepend("barmand", c))) + " ");
                assertThat(err.toString()).as(String.join(" ", args)).isEmpty();
            }
        }
    }

    @Test
    void helpCommandShowsTheSameHelpAsDashDashHelp() {
        assertThat(run("help")).isZero();
        assertThat(out.toString()).startsWith("Usage: barmand [-hV]").contains("run-now").contains("help");
        for (String c : List.of("run", "status", "history", "run-now", "check-config", "offsite", "restore", "report")) {
            assertThat(run(c, "--help")).isZero();
            String direct = out.toString();
            assertThat(run("help", c)).as("help " + c).isZero();
            assertThat(out.toString()).as("help " + c).isEqualTo(direct);
        }
        assertThat(run("help", "no-such-command")).isEqualTo(64);
    }

    @Test
    void everyOptionAndParameterIsDescribed() {
        for (List<String> c : commands()) {
            CommandLine cl = Main.commandLine();
            for (String w : c) {
                cl = cl.getSubcommands().get(w);
            }
            CommandSpec spec = cl.getCommandSpec();
            assertThat(spec.usageMessage().description()).as("description of " + c).isNotEmpty();
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                String what = String.join(" ", c) + " " + (a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName()
                        : a.paramLabel());
                assertThat(String.join(" ", a.description())).as(what).isNotBlank();
            }
        }
    }

    @Test
    void historyJobHelpListsEveryJobKind() {
        assertThat(run("history", "--help")).isZero();
        // picocli wraps the description: compare words, not lines
        String words = out.toString().replaceAll("\\s+", " ");
        for (JobKind k : JobKind.values()) {
            assertThat(words).as(k.id()).containsPattern("[ ,]" + java.util.regex.Pattern.quote(k.id()) + "[ ,(]");
        }
        assertThat(run("run-now", "--help")).isZero();
        String runNow = out.toString().replaceAll("\\s+", " ");
        for (JobKind k : JobKind.values()) {
            assertThat(runNow).as(k.id()).contains(k.id());
        }
    }

    @Test
    void runNowHelpIsHelpNotAMissingParameter() {
        assertThat(run("run-now", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: barmand run-now").doesNotContain("Missing required");
        assertThat(err.toString()).isEmpty();
        assertThat(run("restore", "--help")).isZero(); // --to is required
        assertThat(out.toString()).doesNotContain("Missing required");
        // without --help, a missing JOB is still a usage error
        assertThat(run("run-now")).isEqualTo(64);
        assertThat(err.toString()).contains("Missing required parameter");
    }

    @Test
    void versionOnEveryCommand() {
        assertThat(run("status", "--version")).isZero();
        assertThat(out.toString()).startsWith("barmand ");
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }

    @Test
    void aMistypedCommandOrOptionSuggestsTheNearOneInsteadOfTheWholeUsageAndExits64() {
        assertThat(run("stauts")).isEqualTo(64);
        assertThat(err.toString()).startsWith("barmand: Unmatched argument at index 0: 'stauts'\nDid you mean: barmand status")
                .doesNotContain("Usage:");
        assertThat(run("status", "--jsno")).isEqualTo(64);
        assertThat(err.toString()).contains("'--jsno'").contains("Possible solutions: --json");
        // nothing near: the usage, as before
        assertThat(run("zzzzzzzzzz")).isEqualTo(64);
        assertThat(err.toString()).contains("Usage: barmand");
    }
}
