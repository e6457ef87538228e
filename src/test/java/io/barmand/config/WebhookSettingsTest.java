package io.barmand.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.testing.FakeBarman;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** alerts.webhooks read from a real file: what loads, what is refused (every problem named by its key), what is masked. */
class WebhookSettingsTest {
    @TempDir
    Path tmp;
    FakeBarman barman;
    final ServerCatalog knows = (bin, cf, t) -> Set.of("pg1");

    @BeforeEach
    void setUp() {
        barman = new FakeBarman(tmp.resolve("bin"));
    }

    Path conf(String alerts) throws IOException {
        Path f = tmp.resolve("barmand.conf");
        Files.writeString(f, "barmand {\n  barman.binary = \"" + barman.script() + "\"\n  state-dir = \"" + tmp
                + "/state\"\n  control-socket = \"" + tmp + "/c.sock\"\n  alerts {\n" + alerts + "\n  }\n  servers { pg1 {} }\n}\n");
        return f;
    }

    Path secret(String name, String perms) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, "s3cr3t\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    @Test
    void twoWebhooksLoadWithTheirDefaults() throws IOException {
        Path s = secret("hook.secret", "rw-------");
        Settings st = Settings.load(conf("""
                    webhooks = [
                      { url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET", format = slack }
                      { name = "pager", url = "http://127.0.0.1:8080/barmand?token=abc", format = json,
                        secret-file = "%s", timeout = 3s }
                    ]""".formatted(s)), knows);
        assertThat(st.webhooks()).containsExactly(
                new WebhookSettings("hooks.slack.com", URI.create("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
                        WebhookSettings.Format.SLACK, Optional.empty(), Duration.ofSeconds(10)),
                new WebhookSettings("pager", URI.create("http://127.0.0.1:8080/barmand?token=abc"), WebhookSettings.Format.JSON,
                        Optional.of(s), Duration.ofSeconds(3)));
        assertThat(st.warnings()).as("plain http to loopback is fine").noneMatch(w -> w.contains("webhooks["))
                .anyMatch(w -> w.contains("mail.to is empty") && w.endsWith("(they are posted to alerts.webhooks)"));
        // check-config and the log show neither the Slack path (its token) nor the query
        assertThat(st.dump()).contains("https://hooks.slack.com/…", "http://127.0.0.1:8080/…")
                .doesNotContain("XXXXSECRET", "token=abc", "s3cr3t");
        assertThat(st.dumpOneLine()).doesNotContain("XXXXSECRET", "token=abc");
        assertThat(Settings.load(conf(""), knows).webhooks()).isEmpty();
    }

    @Test
    void plainHttpToAnotherHostIsAWarningNamingTheKey() throws IOException {
        Settings st = Settings.load(conf("webhooks = [ { url = \"http://chat.example.net/hook/abc\", format = json } ]"), knows);
        assertThat(st.webhooks()).hasSize(1);
        assertThat(st.warnings()).filteredOn(w -> w.contains("webhooks[")).singleElement().asString()
                .contains("barmand.alerts.webhooks[0].url: http://chat.example.net/… is plain http to another host")
                .contains("(line 6)").doesNotContain("abc");
    }

    @Test
    void everyProblemNamedByItsKey() throws IOException {
        secret("open.secret", "rw-r--r--");
        Path f = conf("""
                    webhooks = [
                      { url = "https://user:hunter2@chat.example.net/hook", format = slack }
                      { url = "https://chat.example.net/hook", format = teams, timeout = soon }
                      { url = "ftp://chat.example.net/hook", format = json, secret-file = "relative.secret" }
                      { format = json, secret-file = "%s", retries = 3 }
                      "https://chat.example.net/hook"
                      { name = "a b", url = "https://chat.example.net/x", format = json }
                    ]""".formatted(tmp.resolve("open.secret")));
        Throwable t = catchThrowable(() -> Settings.load(f, knows));
        assertThat(t).isInstanceOf(BarmandException.class);
        BarmandException e = (BarmandException) t;
        assertThat(e.category()).isEqualTo(Category.CONFIG);
        assertThat(e.exitCode()).isEqualTo(78);
        assertThat(e.getMessage()).contains(
                f + ": barmand.alerts.webhooks[0].url: must not hold credentials (user:password@)",
                "barmand.alerts.webhooks[1].format: must be slack or json, is \"teams\" (line 8)",
                "barmand.alerts.webhooks[1].timeout: must be a duration such as 10s, is \"soon\"",
                "barmand.alerts.webhooks[2].url: must be an http:// or https:// URL with a host",
                "barmand.alerts.webhooks[2].secret-file: must be an absolute path, is \"relative.secret\"",
                "barmand.alerts.webhooks[3].url: must be set",
                "barmand.alerts.webhooks[3].secret-file: " + tmp.resolve("open.secret") + " is readable by everyone",
                "barmand.alerts.webhooks[3].retries: unknown key",
                "barmand.alerts.webhooks[4]: must be a block",
                "barmand.alerts.webhooks[5].name: only letters, digits")
                .doesNotContain("hunter2");
    }

    @Test
    void twoWebhooksOfOneNameAreRefused() throws IOException {
        Throwable t = catchThrowable(() -> Settings.load(conf("""
                    webhooks = [
                      { url = "https://chat.example.net/a", format = slack }
                      { url = "https://chat.example.net/b", format = json }
                    ]"""), knows));
        assertThat(t).hasMessageContaining("barmand.alerts.webhooks[1].name: \"chat.example.net\" names another webhook too");
    }

    @Test
    void loopbackIsToldWithoutAskingDns() {
        assertThat(WebhookSettings.loopback("localhost")).isTrue();
        assertThat(WebhookSettings.loopback("127.0.0.2")).isTrue();
        assertThat(WebhookSettings.loopback("[::1]")).isTrue();
        assertThat(WebhookSettings.loopback("10.0.0.1")).isFalse();
        assertThat(WebhookSettings.loopback("chat.example.net")).isFalse();
    }
}
