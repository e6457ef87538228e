package io.barmand.manual;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigValue;
import io.barmand.cli.Main;
import io.barmand.error.Category;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** barmand(8) has every command and option of the picocli model, barmand.conf(5) every key of reference.conf. */
class ManPagesTest {
    static final String DATE = "2026-01-02";
    final String command = ManPages.commandPage("1.2.3", DATE);
    final String config = ManPages.configPage("1.2.3", DATE);

    @Test
    void everyCommandOptionAndParameterIsInBarmand8() {
        List<CommandSpec> commands = new ArrayList<>();
        walk(Main.commandLine(), commands);
        assertThat(commands).extracting(CommandSpec::qualifiedName).contains("barmand status", "barmand offsite verify",
                "barmand retention plan", "barmand help");
        int options = 0;
        for (CommandSpec c : commands) {
            if (c.usageMessage().hidden()) {
                continue; // warm-up, postinst's
            }
            if (c.parent() != null) {
                assertThat(command).as(c.qualifiedName()).contains(".SS \"" + Roff.escape(c.qualifiedName()) + "\"");
            }
            for (OptionSpec o : c.options()) {
                if (!o.hidden()) {
                    for (String n : o.names()) {
                        assertThat(command).as(c.qualifiedName() + " " + n).contains(Roff.bold(n));
                    }
                    options++;
                }
            }
            for (PositionalParamSpec p : c.positionalParameters()) {
                if (!p.hidden()) {
                    assertThat(command).as(c.qualifiedName() + " " + p.paramLabel()).contains(Roff.italic(p.paramLabel()));
                }
            }
        }
        assertThat(options).isGreaterThan(20);
        assertThat(command).doesNotContain("warm\\-up").doesNotContain("${").doesNotContain("%n");
        assertThat(command).startsWith(".TH \"BARMAND\" \"8\" \"" + DATE.replace("-", "\\-") + "\" \"barmand 1.2.3\"");
    }

    @Test
    void thePagesSendNoReaderToTheSourceTreeAndWhatTheyCiteIsInstalled() throws IOException {
        java.util.regex.Pattern source = java.util.regex.Pattern.compile("(?<![\\w/.-])docs/[A-Za-z0-9_-]+\\.md");
        java.util.regex.Pattern cited = java.util.regex.Pattern.compile("/usr/share/doc/barmand/([A-Za-z0-9_-]+\\.md)");
        String pom = Files.readString(Path.of("pom.xml"));
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (String page : List.of(command, config)) {
            assertThat(source.matcher(page).find()).as(page.substring(0, 40)).isFalse();
            java.util.regex.Matcher m = cited.matcher(page);
            while (m.find()) {
                all.add(m.group(1));
            }
        }
        // barmand(8): the --json options' contract; barmand.conf(5): operations and retention, from reference.conf
        assertThat(all).containsExactlyInAnyOrder("CONTRACTS.md", "operations.md", "retention.md");
        assertThat(PageText.INSTALLED_DOCS).containsAll(all);
        for (String d : PageText.INSTALLED_DOCS) {
            assertThat(Path.of("docs", d)).exists();
            assertThat(pom).as("pom.xml installs docs/" + d).contains("<src>${project.basedir}/docs/" + d + "</src>");
        }
        assertThat(command).contains("one JSON object instead of the table (/usr/share/doc/barmand/CONTRACTS.md)");
    }

    @Test
    void everyExitCodeIsExplained() {
        for (Category c : Category.values()) {
            assertThat(command).as(c.name()).contains(".TP\n" + Roff.bold(String.valueOf(c.exitCode())) + "\n");
        }
    }

    @Test
    void everyKeyOfReferenceConfIsInBarmandConf5WithItsDefaultAndItsComment() {
        int keys = 0;
        for (Map.Entry<String, ConfigValue> e : ManPages.reference().toConfig().entrySet()) {
            assertThat(config).as(e.getKey()).contains(Roff.bold(e.getKey()) + " = ");
            keys++;
        }
        assertThat(keys).isGreaterThan(100);
        assertThat(config).contains(Roff.bold("barmand.servers { }"));
        // a comment of reference.conf, and its header (conf.d documented there)
        assertThat(config).contains("the barman executable; it must exist and be executable");
        assertThat(config).contains(Roff.escape("/etc/barmand/conf.d/*.conf"));
        assertThat(config).contains(".SS \"" + Roff.escape("barmand.defaults") + "\"");
    }

    @Test
    void bothPagesAreOnlyTextAndTheManMacrosTheyUse() {
        for (String page : List.of(command, config)) {
            for (String line : page.split("\n")) {
                if (line.startsWith(".") || line.startsWith("'")) {
                    assertThat(line).matches("\\.(TH|SH|SS|PP|TP|nf|fi|RS 4|RE|br|ad l|nh)( .*)?");
                }
            }
        }
    }

    @Test
    void theFilesAreGzippedAndTheSameForTheSameSources(@TempDir Path tmp) throws IOException {
        ManPages.main(new String[] {tmp.resolve("a").toString(), "1.2.3"});
        ManPages.main(new String[] {tmp.resolve("b").toString(), "1.2.3"});
        for (String f : List.of("man8/barmand.8.gz", "man5/barmand.conf.5.gz")) {
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(f))).as(f).isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(f)));
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tmp.resolve("a/man5/barmand.conf.5.gz")))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith(".TH \"BARMAND.CONF\" \"5\"");
        }
        assertThat(ManPages.date("86400")).isEqualTo("1970-01-02");
    }

    @Test
    void inlineQuotesAreBoldAndALeadingDotIsGuarded() {
        assertThat(Roff.inline("run `barmand run-now` now")).isEqualTo("run \\fBbarmand run\\-now\\fR now");
        assertThat(Roff.inline(".conf files")).isEqualTo("\\&.conf files");
        assertThat(Roff.inline("an odd ` quote")).isEqualTo("an odd \\(ga quote");
    }

    private static void walk(CommandLine cl, List<CommandSpec> all) {
        all.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            walk(sub, all);
        }
    }
}
