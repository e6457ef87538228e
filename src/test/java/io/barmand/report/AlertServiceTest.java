package io.barmand.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.barmand.config.Settings;
import io.barmand.health.Health;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.mail.Outbox;
import io.barmand.mail.Sender;
import io.barmand.process.CommandRunner;
import io.barmand.testing.FakeBarman;
import io.barmand.testing.MutableClock;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Alerts against a real SMTP server (GreenMail in this JVM). */
class AlertServiceTest {
    @RegisterExtension
    static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path tmp;
    RunStore store;
    Settings settings;
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T00:00:00Z"));

    void configure(String alerts) throws Exception {
        FakeBarman barman = new FakeBarman(tmp.resolve("bin"));
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  history.prune.schedule = off\n"
                + "  report { schedule = off, host-name = \"backup1\" }\n  alerts { " + alerts + " }\n"
                + "  mail { to = [\"dba@example.net\", \"oncall@example.net\"], from = \"barmand@backup1.example.net\", "
                + "smtp { host = \"127.0.0.1\", port = " + smtp.getSmtp().getPort() + ", security = none } }\n"
                + "  defaults { check.schedule = off, switch-wal.schedule = off, backup.schedule = off, verify.schedule = off }\n"
                + "  servers { pg1 {}, pg2 {}, pg3 {} }\n}\n");
        settings = Settings.load(f, (bin, cf, t) -> Set.of("pg1", "pg2", "pg3"));
        store = RunStore.open(settings.stateDir(), true);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    AlertService alerts() {
        Outbox o = new Outbox(settings.stateDir(), settings.mail(), new Sender(settings.mail(), new CommandRunner(clock,
                Duration.ofSeconds(1))), clock);
        return new AlertService(settings.report(), new Health(settings, store, s -> Optional.empty()), o, settings.stateDir(),
                settings.hostTimezone(), clock);
    }

    void backup(String server, Outcome outcome) {
        long id = store.start(server, "backup", Trigger.MANUAL, clock.instant());
        clock.advance(Duration.ofSeconds(10));
        store.finish(id, outcome, clock.instant(), 10_000, outcome == Outcome.SUCCESS
                ? new RunFigures("20261120T000000", 1L, 1L, List.of(), null, null) : RunFigures.error("barman backup exited 1: boom"));
    }

    List<String> subjects() throws Exception {
        return Arrays.stream(smtp.getReceivedMessages()).map(m -> {
            try {
                return m.getSubject() + " -> " + String.join(",", Arrays.stream(m.getAllRecipients()).map(Object::toString).toList());
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
    }

    @Test
    void oneAlertPerProblemNotPerRetryThenOneRecoveredMail() throws Exception {
        configure("max-per-hour = 10");
        AlertService a = alerts();
        backup("pg1", Outcome.FAILED);
        assertThat(a.evaluate()).extracting(AlertService.Sent::kind).containsExactly("alert");
        // the retry fails too, and a restarted daemon reads what was mailed: nothing more
        backup("pg1", Outcome.FAILED);
        assertThat(a.evaluate()).isEmpty();
        assertThat(alerts().evaluate()).isEmpty();
        backup("pg1", Outcome.SUCCESS);
        assertThat(alerts().evaluate()).extracting(AlertService.Sent::kind).containsExactly("recovered");
        assertThat(a.evaluate()).isEmpty();
        // one message per recipient of each mail
        assertThat(subjects()).containsExactly(
                "[barmand backup1] CRITICAL: pg1 backup -> dba@example.net,oncall@example.net",
                "[barmand backup1] RECOVERED: pg1 backup -> dba@example.net,oncall@example.net");
        MimeMessage alert = smtp.getReceivedMessages()[0];
        String body = (String) alert.getContent();
        assertThat(body).startsWith("backup failed (run 1, 2026-11-20T00:00:10Z): barman backup exited 1: boom")
                .contains("You get one more mail when it is OK again.");
        assertThat(alert.getFrom()[0].toString()).isEqualTo("barmand@backup1.example.net");
        MimeMessage recovered = Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().contains("RECOVERED");
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).findFirst().orElseThrow();
        assertThat((String) recovered.getContent()).startsWith("pg1 backup is OK again at 2026-11-20 00:00:30 UTC, after 20s.")
                .contains("The problem was: backup failed (run 1");
    }

    @Test
    void theRateLimitHoldsAlertsBackUntilTheHourHasPassedAndLosesNone() throws Exception {
        configure("max-per-hour = 2");
        AlertService a = alerts();
        backup("pg1", Outcome.FAILED);
        backup("pg2", Outcome.FAILED);
        backup("pg3", Outcome.FAILED);
        assertThat(a.evaluate()).extracting(AlertService.Sent::problem).containsExactly("pg1 backup", "pg2 backup");
        assertThat(a.heldBack()).containsExactly("pg3 backup");
        clock.advance(Duration.ofMinutes(30));
        assertThat(a.evaluate()).isEmpty();
        clock.advance(Duration.ofMinutes(31));
        assertThat(a.evaluate()).extracting(AlertService.Sent::problem).containsExactly("pg3 backup");
        assertThat(a.heldBack()).isEmpty();
        assertThat(smtp.getReceivedMessages()).hasSize(6);
    }
}
