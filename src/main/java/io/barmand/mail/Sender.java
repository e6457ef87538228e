package io.barmand.mail;

import io.barmand.config.MailSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Hands one stored message (an .eml file) to the transport of {@code mail}: SMTP (STARTTLS required, implicit TLS,
 * or plain; a login from the secrets file) or the host's {@code sendmail -t -oi}. Failures are in the admin's words
 * and name the server: "cannot reach SMTP server mail.example.net:587: Connection refused".
 */
public final class Sender {
    private final MailSettings s;
    private final CommandRunner cmd;

    public Sender(MailSettings s, CommandRunner cmd) {
        this.s = s;
        this.cmd = cmd;
    }

    /** The SMTP session barmand composes and sends with. */
    public Session session() {
        Properties p = new Properties();
        String ms = Long.toString(s.timeout().toMillis());
        p.put("mail.smtp.host", s.smtpHost());
        p.put("mail.smtp.port", Integer.toString(s.smtpPort()));
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        p.put("mail.smtp.from", bareAddress(s.from()));
        switch (s.security()) {
            case STARTTLS -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case TLS -> {
                p.put("mail.smtp.ssl.enable", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case NONE -> { }
        }
        if (s.caFile().isPresent() && s.security() != MailSettings.Security.NONE) {
            p.put("mail.smtp.ssl.socketFactory", sslContext(s.caFile().get()).getSocketFactory());
        }
        p.put("mail.smtp.auth", Boolean.toString(s.secretsFile().isPresent()));
        return Session.getInstance(p);
    }

    /** Sends the message in {@code eml}. Throws UNAVAILABLE (retry later) or JOB_FAILED, naming the server. */
    public void send(Path eml) {
        if (s.transport() == MailSettings.Transport.SENDMAIL) {
            sendmail(eml);
            return;
        }
        Session session = session();
        MimeMessage m;
        try (InputStream in = Files.newInputStream(eml)) {
            m = new MimeMessage(session, in);
        } catch (IOException | MessagingException e) {
            throw new BarmandException(Category.IO, eml + ": cannot read the stored mail: " + e.getMessage(), e);
        }
        String where = "SMTP server " + s.smtpHost() + ":" + s.smtpPort();
        try (Transport t = session.getTransport("smtp")) {
            if (s.secretsFile().isPresent()) {
                String[] login = login(s.secretsFile().get());
                try {
                    t.connect(login[0], login[1]);
                } catch (AuthenticationFailedException e) {
                    throw new BarmandException(Category.JOB_FAILED, where + " refused the login of '" + login[0] + "' (from "
                            + s.secretsFile().get() + "): " + oneLine(e.getMessage()), e);
                }
            } else {
                t.connect();
            }
            t.sendMessage(m, m.getAllRecipients());
        } catch (BarmandException e) {
            throw e;
        } catch (SendFailedException e) {
            throw new BarmandException(Category.JOB_FAILED, where + " refused the mail: " + oneLine(e.getMessage())
                    + (e.getInvalidAddresses() == null ? "" : " (invalid: " + List.of(e.getInvalidAddresses()) + ")"), e);
        } catch (MessagingException e) {
            throw explain(where, e);
        }
    }

    private BarmandException explain(String where, MessagingException e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof SocketTimeoutException) {
            return new BarmandException(Category.UNAVAILABLE, "cannot reach " + where + ": " + c.getClass().getSimpleName()
                    + (c.getMessage() == null ? "" : " " + oneLine(c.getMessage())), e);
        }
        boolean tls = false;
        for (Throwable x = e; x != null && !tls; x = x.getCause() == x ? null : x.getCause()) {
            tls = x instanceof javax.net.ssl.SSLException || x instanceof GeneralSecurityException;
        }
        if (tls) {
            return new BarmandException(Category.UNAVAILABLE, where + ": TLS handshake failed: " + oneLine(c.getMessage())
                    + (s.caFile().isEmpty() ? " (a private CA? set mail.smtp.ca-file)" : ""), e);
        }
        String msg = oneLine(e.getMessage());
        if (msg.contains("STARTTLS")) {
            return new BarmandException(Category.UNAVAILABLE, where + " does not offer STARTTLS (mail.smtp.security = "
                    + "\"starttls\" requires it; \"tls\" for port 465, \"none\" for a local relay): " + msg, e);
        }
        return new BarmandException(Category.UNAVAILABLE, where + ": " + msg + (c != e && c.getMessage() != null
                ? " (" + oneLine(c.getMessage()) + ")" : ""), e);
    }

    private void sendmail(Path eml) {
        CommandResult r = cmd.run(List.of(s.sendmail().toString(), "-t", "-oi"), s.timeout().plus(Duration.ofSeconds(30)), eml);
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "sendmail interrupted (daemon stopping)");
        }
        if (!r.ok()) {
            throw new BarmandException(Category.UNAVAILABLE, s.sendmail() + " -t -oi exited " + r.exitCode()
                    + (r.timedOut() ? " (timed out)" : "") + ": " + oneLine(r.stderrTail()));
        }
    }

    /** user and password from a file of `user = ...` and `password = ...` lines. */
    static String[] login(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new BarmandException(Category.CONFIG, file + ": cannot read the SMTP login: " + e.getMessage(), e);
        }
        String user = p.getProperty("user", "").trim();
        String pw = p.getProperty("password", "");
        if (user.isEmpty()) {
            throw new BarmandException(Category.CONFIG, file + ": no `user = ...` line (the SMTP login)");
        }
        return new String[] {user, pw};
    }

    /** The system's trust anchors plus the certificates of {@code caFile}. */
    static SSLContext sslContext(Path caFile) {
        try {
            TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            sys.init((KeyStore) null);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(caFile)) {
                for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
            }
            TrustManagerFactory ca = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            ca.init(ks);
            List<X509TrustManager> all = new ArrayList<>();
            for (TrustManager[] tms : List.of(sys.getTrustManagers(), ca.getTrustManagers())) {
                for (TrustManager tm : tms) {
                    if (tm instanceof X509TrustManager x) {
                        all.add(x);
                    }
                }
            }
            X509TrustManager either = new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    throw new CertificateException("not a server");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                    CertificateException last = null;
                    for (X509TrustManager tm : all) {
                        try {
                            tm.checkServerTrusted(chain, authType);
                            return;
                        } catch (CertificateException e) {
                            last = e;
                        }
                    }
                    throw last == null ? new CertificateException("no trust anchor") : last;
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return all.stream().flatMap(t -> java.util.Arrays.stream(t.getAcceptedIssuers())).toArray(X509Certificate[]::new);
                }
            };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {either}, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new BarmandException(Category.CONFIG, caFile + ": cannot read the CA certificate(s): " + e.getMessage(), e);
        }
    }

    static String bareAddress(String a) {
        try {
            return new jakarta.mail.internet.InternetAddress(a).getAddress();
        } catch (jakarta.mail.internet.AddressException e) {
            return a;
        }
    }

    static String oneLine(String m) {
        return m == null ? "" : m.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
