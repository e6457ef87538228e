package io.barmand.manual;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * barmand(8), from the picocli model: every command that is not hidden, with its synopsis, its description and each
 * of its options and parameters, as {@code barmand COMMAND --help} tells them; the sections around them (files,
 * environment, exit status) from {@code PageText}.
 */
final class CommandManPage {
    private CommandManPage() {
    }

    static String render(CommandLine root, String version, String date) {
        CommandSpec spec = root.getCommandSpec();
        Roff r = new Roff("BARMAND", 8, date, "barmand " + version, "System Administration");
        r.section("NAME").raw(Roff.escape(spec.name()) + " \\- " + Roff.escape(PageText.COMMAND_NAME_LINE));
        r.section("SYNOPSIS").raw(Roff.bold(spec.name()) + " [" + Roff.bold("--config") + " " + Roff.italic("FILE") + "] "
                + Roff.italic("COMMAND") + " [" + Roff.italic("OPTIONS") + "] [" + Roff.italic("ARGUMENTS") + "]");
        r.section("DESCRIPTION").text(String.join("\n", description(spec))).text("\n" + PageText.COMMAND_DESCRIPTION);
        r.section("OPTIONS").text("These options are taken by every command.");
        arguments(r, spec, Set.of());
        Set<String> everywhere = new HashSet<>();
        spec.options().forEach(o -> everywhere.addAll(List.of(o.names())));
        r.section("COMMANDS");
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            command(r, e.getValue(), everywhere);
        }
        r.section("FILES");
        PageText.FILES.forEach((path, what) -> r.tagged(Roff.italic(path), what));
        r.section("ENVIRONMENT");
        PageText.ENVIRONMENT.forEach((name, what) -> r.tagged(Roff.bold(name), what));
        r.section("EXIT STATUS");
        PageText.EXIT_STATUS.forEach((code, what) -> r.tagged(Roff.bold(String.valueOf(code)), what));
        r.section("SEE ALSO").raw(Roff.bold("barmand.conf") + "(5), " + Roff.bold("barman") + "(1), "
                + Roff.bold("systemctl") + "(1), " + Roff.bold("journalctl") + "(1); " + Roff.italic(PageText.DOC_DIR + "/README") + ", "
                + Roff.italic(PageText.DOC_DIR + "/reference.conf"));
        return PageText.installedDocs(r.toString());
    }

    /** One command and, after it, its own subcommands. */
    private static void command(Roff r, CommandLine cl, Set<String> everywhere) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden()) {
            return;
        }
        r.subsection(spec.qualifiedName());
        CommandLine.Help help = new CommandLine.Help(spec, CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        r.verbatim(help.synopsis(0).strip());
        List<String> aliases = List.of(spec.aliases());
        if (!aliases.isEmpty()) {
            r.paragraph("Also named: " + String.join(", ", aliases) + ".");
        }
        r.paragraph(String.join("\n", description(spec)));
        arguments(r, spec, everywhere);
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            command(r, e.getValue(), everywhere);
        }
    }

    /** The options and positional parameters of a command, but for those of the root ({@code everywhere}, in OPTIONS). */
    private static void arguments(Roff r, CommandSpec spec, Set<String> everywhere) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || o.inherited() || everywhere.contains(o.longestName())) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (String n : o.names()) {
                names.add(Roff.bold(n));
            }
            String tag = String.join(", ", names) + (o.arity().max() > 0 ? " " + Roff.italic(o.paramLabel()) : "");
            r.tagged(tag, text(o));
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden() || p.inherited()) {
                continue;
            }
            r.tagged(Roff.italic(p.paramLabel()), text(p));
        }
    }

    /** A command's description, as picocli prints it (%n is a line break, %% a percent sign). */
    private static List<String> description(CommandSpec spec) {
        List<String> lines = new ArrayList<>();
        for (String d : spec.usageMessage().description()) {
            lines.add(format(d));
        }
        return lines;
    }

    /** An argument's description with picocli's variables as its help shows them. */
    static String text(ArgSpec a) {
        String d = String.join(" ", a.description());
        String dv = a.defaultValueString();
        d = d.replace("${DEFAULT-VALUE}", dv == null ? "" : dv);
        if (a.completionCandidates() != null) {
            List<String> c = new ArrayList<>();
            a.completionCandidates().forEach(c::add);
            d = d.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
        }
        return format(d);
    }

    private static String format(String s) {
        return s.replace("%n", "\n").replace("%%", "%");
    }
}
