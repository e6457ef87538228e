package io.barmand.cli;

import io.barmand.wiring.Services;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.barmand.barman.BarmanClient;
import io.barmand.config.Settings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.health.Health;
import io.barmand.history.NoHistory;
import io.barmand.history.RunHistory;
import io.barmand.history.RunStore;
import io.barmand.mail.Outbox;
import io.barmand.process.CommandRunner;
import io.barmand.report.ReportHtml;
import io.barmand.report.ReportService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "report", description = "Prints the morning report of the runs since --since (the same the report job "
        + "mails), or sends it now with --send.")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--since", paramLabel = "SPAN", description = "the window: runs of this last span, e.g. 24h, 7d "
            + "(default: report.window)")
    String since;

    @Option(names = "--format", paramLabel = "F", defaultValue = "text",
            description = "text (default), html (charts inline as data: URIs) or json (docs/CONTRACTS.md)")
    String format;

    @Option(names = "--send", description = "mail it to mail.to now (through the outbox: kept there if it cannot go)")
    boolean send;

    @Override
    public Integer call() {
        if (!format.equals("text") && !format.equals("html") && !format.equals("json")) {
            throw new BarmandException(Category.USAGE, "--format: must be text, html or json, is \"" + format + "\"");
        }
        Settings s = Settings.load(main.configFile(), null);
        Duration window = since == null ? s.report().window() : span(since);
        Path file = s.stateDir().resolve(RunStore.FILE);
        boolean none = !Files.exists(file);
        if (send && !s.mail().enabled()) {
            throw new BarmandException(Category.CONFIG, s.file() + ": barmand.mail.to: is empty: no recipient to --send to");
        }
        Clock clock = Clock.systemUTC();
        CommandRunner cmd = Services.commands(s, clock);
        BarmanClient barman = Services.barman(s, cmd);
        if (none) {
            // before the daemon's first start, as status: the report of Barman's catalogue and of no run
            Main.report(spec.commandLine().getErr(), "no run recorded yet: barmand has not started on this host ("
                    + file + " does not exist); the report shows Barman's backups and no run");
        }
        try (RunHistory store = none ? new NoHistory(file) : RunStore.open(s.stateDir(), false)) {
            Health health = Services.health(s, store, barman);
            Optional<Outbox> outbox = send ? Optional.of(Services.outbox(s, cmd, clock)) : Optional.empty();
            ReportService svc = Services.report(s, store, health, barman, outbox, clock);
            ReportService.Made m = svc.make(window, send || format.equals("html"));
            var out = spec.commandLine().getOut();
            if (send) {
                Outbox.Delivery d = outbox.get().post(m.letter());
                if (!d.sent()) {
                    throw new BarmandException(Category.UNAVAILABLE, "\"" + m.subject() + "\" not sent: " + d.lastError()
                            + "; kept in " + outbox.get().dir() + " as " + d.id() + " (the daemon sends it again)");
                }
                out.println("\"" + m.subject() + "\" sent to " + String.join(", ", s.mail().to()) + " through "
                        + s.mail().describe() + " (mail " + d.id() + ")");
            } else if (format.equals("json")) {
                out.print(m.json());
            } else if (format.equals("html")) {
                out.print(ReportHtml.render(m.data(), s.hostTimezone(), s.report().trendDays(), server ->
                        m.charts().containsKey(server)
                                ? "data:image/png;base64," + Base64.getEncoder().encodeToString(m.charts().get(server)) : null));
            } else {
                out.println(m.subject());
                out.println();
                out.print(m.text());
            }
            out.flush();
            return 0;
        }
    }

    /** "24h", "7d", "90m": a positive duration. */
    static Duration span(String v) {
        try {
            Duration d = ConfigFactory.parseString("d = \"" + v.replace("\"", "") + "\"").getDuration("d");
            if (d.isNegative() || d.isZero()) {
                throw new BarmandException(Category.USAGE, "--since: must be positive, is \"" + v + "\"");
            }
            return d;
        } catch (ConfigException e) {
            throw new BarmandException(Category.USAGE, "--since: must be a span such as 24h, 7d or 90m, is \"" + v + "\"");
        }
    }
}
