package io.barmand.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.barmand.config.MailSettings;
import io.barmand.config.MailSettings.Security;
import io.barmand.config.MailSettings.Transport;
import io.barmand.process.CommandRunner;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox through each transport: the host's sendmail (a script standing in for it), SMTP over TLS, STARTTLS. */
class MailTransportTest {
    @TempDir
    Path tmp;

    MailSettings settings(Transport t, Path sendmail, String host, int port, Security sec, Optional<Path> ca) {
        return new MailSettings(List.of("dba@example.net"), "barmand@backup1.example.net", Optional.of("dba-team@example.net"),
                t, sendmail, host, port, sec, Optional.empty(), ca, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(2));
    }

    Outbox outbox(MailSettings s) {
        return new Outbox(tmp.resolve("state"), s, new Sender(s, new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1))),
                Clock.systemUTC());
    }

    @Test
    void sendmailGetsTheWholeMessageOnItsStandardInputAndAFailureIsKeptAndRetried() throws Exception {
        Path got = tmp.resolve("got.eml");
        Path args = tmp.resolve("args");
        Path script = tmp.resolve("sendmail");
        Files.writeString(script, "#!/bin/sh\nif [ -e " + tmp.resolve("down") + " ]; then echo 'sendmail: queue full' >&2; exit 75; fi\n"
                + "echo \"$@\" > " + args + "\ncat > " + got + "\n");
        script.toFile().setExecutable(true);
        Files.createFile(tmp.resolve("down"));
        Outbox o = outbox(settings(Transport.SENDMAIL, script, "", 25, Security.NONE, Optional.empty()));
        Outbox.Delivery d = o.post(Letter.plain("alert", "[barmand backup1] CRITICAL: pg1 backup", "backup failed"));
        assertThat(d.sent()).isFalse();
        assertThat(d.lastError()).isEqualTo(script + " -t -oi exited 75: sendmail: queue full");
        assertThat(o.pending()).extracting(Outbox.Delivery::id).containsExactly(d.id());
        Files.delete(tmp.resolve("down"));
        // not due yet: nothing sent; once due, sent
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> o.flush() == 1);
        assertThat(o.pending()).isEmpty();
        Outbox.Delivery after = o.get(d.id()).orElseThrow();
        assertThat(after.sent()).isTrue();
        assertThat(after.attempts()).isEqualTo(2);
        assertThat(Files.readString(args).strip()).isEqualTo("-t -oi");
        String eml = Files.readString(got);
        assertThat(eml).contains("Subject: [barmand backup1] CRITICAL: pg1 backup").contains("To: dba@example.net")
                .contains("From: barmand@backup1.example.net").contains("Reply-To: dba-team@example.net")
                .contains("X-Barmand-Kind: alert").contains("backup failed");
    }

    int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * A server certificate for localhost made by keytool, for GreenMail's SMTPS (its own has no name that matches a
     * host, so barmand rightly refuses it); returns its certificate as PEM, the "private CA" of mail.smtp.ca-file.
     */
    static synchronized Path localhostCertificate(Path dir) throws Exception {
        Path ks = dir.resolve("smtps.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "smtps", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        Path pem = dir.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "smtps", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        System.setProperty("greenmail.tls.keystore.file", ks.toString());
        System.setProperty("greenmail.tls.keystore.password", "changeit");
        return pem;
    }

    static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
    }

    @Test
    void implicitTlsIsRefusedForAnUnknownCertificateAndWorksWithItsCa() throws Exception {
        int port = freePort();
        Path ca = localhostCertificate(tmp);
        GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
        g.start();
        try {
            Outbox plain = outbox(settings(Transport.SMTP, Path.of("/nonexistent"), "localhost", port, Security.TLS, Optional.empty()));
            Outbox.Delivery d = plain.post(Letter.plain("report", "[barmand backup1] OK: 1 server", "fine"));
            assertThat(d.sent()).isFalse();
            assertThat(d.lastError()).startsWith("SMTP server localhost:" + port + ": TLS handshake failed")
                    .endsWith("(a private CA? set mail.smtp.ca-file)");
            Outbox withCa = outbox(settings(Transport.SMTP, Path.of("/nonexistent"), "localhost", port, Security.TLS,
                    Optional.of(ca)));
            Outbox.Delivery ok = withCa.post(Letter.plain("report", "[barmand backup1] OK: 1 server", "fine"));
            assertThat(ok.lastError()).isNull();
            assertThat(ok.sent()).isTrue();
            assertThat(g.getReceivedMessages()).hasSize(1);
        } finally {
            g.stop();
        }
    }

    @Test
    void starttlsIsRequiredByDefaultAndAServerWithoutItIsNamed() throws Exception {
        int port = freePort();
        GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        g.start();
        try {
            Outbox o = outbox(settings(Transport.SMTP, Path.of("/nonexistent"), "127.0.0.1", port, Security.STARTTLS, Optional.empty()));
            Outbox.Delivery d = o.post(Letter.plain("report", "s", "t"));
            assertThat(d.sent()).isFalse();
            assertThat(d.lastError()).contains("SMTP server 127.0.0.1:" + port + " does not offer STARTTLS");
            assertThat(g.getReceivedMessages()).isEmpty();
        } finally {
            g.stop();
        }
    }
}
