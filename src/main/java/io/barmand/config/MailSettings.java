package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code mail} block: recipients, sender, and the transport (SMTP with STARTTLS, implicit TLS or none, with a
 * login from a secrets file; or the host's sendmail). Read once and checked at start.
 */
public record MailSettings(List<String> to, String from, Optional<String> replyTo, Transport transport, Path sendmail,
                           String smtpHost, int smtpPort, Security security, Optional<Path> secretsFile,
                           Optional<Path> caFile, Duration timeout, Duration retryInitial, Duration retryMax) {
    public enum Transport { SMTP, SENDMAIL }

    public enum Security { STARTTLS, TLS, NONE }

    public MailSettings {
        to = List.copyOf(to);
    }

    /** Mail is on when it has recipients. */
    public boolean enabled() {
        return !to.isEmpty();
    }

    /** "smtp mail.example.net:587 (starttls)" or "sendmail /usr/sbin/sendmail", for messages. */
    public String describe() {
        return transport == Transport.SENDMAIL ? "sendmail " + sendmail
                : "smtp " + smtpHost + ":" + smtpPort + " (" + security.name().toLowerCase(Locale.ROOT) + ")";
    }

    static MailSettings read(Config c, String hostName, List<String> problems) {
        String k = Settings.ROOT + ".mail.";
        List<String> to = new ArrayList<>();
        try {
            for (String a : c.getStringList("mail.to")) {
                address(a, k + "to", problems).ifPresent(to::add);
            }
        } catch (ConfigException e) {
            problems.add(k + "to: must be a list of addresses, e.g. [\"dba@example.net\"]");
        }
        String from = c.getString("mail.from").trim();
        if (from.isEmpty()) {
            from = "barmand@" + hostName;
        } else {
            address(from, k + "from", problems);
        }
        String replyTo = c.getString("mail.reply-to").trim();
        if (!replyTo.isEmpty()) {
            address(replyTo, k + "reply-to", problems);
        }
        Transport transport = Transport.SMTP;
        String t = c.getString("mail.transport").trim();
        try {
            transport = Transport.valueOf(t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(k + "transport: must be \"smtp\" or \"sendmail\", is \"" + t + "\"");
        }
        Path sendmail = Path.of(c.getString("mail.sendmail"));
        if (transport == Transport.SENDMAIL && !to.isEmpty() && !Files.isExecutable(sendmail)) {
            problems.add(k + "sendmail: " + sendmail + " does not exist or is not executable (install a mail transfer "
                    + "agent such as postfix, or use transport = \"smtp\")");
        }
        String host = c.getString("mail.smtp.host").trim();
        if (transport == Transport.SMTP && host.isEmpty()) {
            problems.add(k + "smtp.host: must not be empty");
        }
        int port = c.getInt("mail.smtp.port");
        if (port < 1 || port > 65535) {
            problems.add(k + "smtp.port: must be between 1 and 65535, is " + port);
        }
        Security security = Security.STARTTLS;
        String sec = c.getString("mail.smtp.security").trim();
        try {
            security = Security.valueOf(sec.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(k + "smtp.security: must be \"starttls\", \"tls\" or \"none\", is \"" + sec + "\"");
        }
        Optional<Path> secrets = file(c, "mail.smtp.secrets-file", k + "smtp.secrets-file", true, problems);
        Optional<Path> ca = file(c, "mail.smtp.ca-file", k + "smtp.ca-file", false, problems);
        Duration timeout = positive(c, "mail.smtp.timeout", k + "smtp.timeout", problems);
        Duration initial = positive(c, "mail.retry.initial", k + "retry.initial", problems);
        Duration max = positive(c, "mail.retry.max", k + "retry.max", problems);
        if (max.compareTo(initial) < 0) {
            problems.add(k + "retry.max: must not be shorter than retry.initial (" + initial + ")");
        }
        return new MailSettings(to, from, replyTo.isEmpty() ? Optional.empty() : Optional.of(replyTo), transport, sendmail,
                host, port, security, secrets, ca, timeout, initial, max);
    }

    private static Optional<String> address(String a, String key, List<String> problems) {
        try {
            InternetAddress ia = new InternetAddress(a.trim(), true);
            return Optional.of(ia.toString());
        } catch (AddressException e) {
            problems.add(key + ": \"" + a + "\" is not a mail address (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private static Optional<Path> file(Config c, String path, String key, boolean secret, List<String> problems) {
        String v = c.getString(path).trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Path p = Path.of(v);
        Optional<String> problem = secret ? OffsiteSettings.credentialsFileProblem(p)
                : Files.isReadable(p) ? Optional.empty() : Optional.of(p + " does not exist or is not readable");
        problem.ifPresent(m -> problems.add(key + ": " + m));
        return Optional.of(p);
    }

    static Duration positive(Config c, String path, String key, List<String> problems) {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                problems.add(key + ": must be positive");
                return Duration.ofSeconds(1);
            }
            return d;
        } catch (ConfigException e) {
            problems.add(key + ": must be a duration such as 30s, 5m or 6h, is \"" + c.getValue(path).unwrapped() + "\"");
            return Duration.ofSeconds(1);
        }
    }

    /** A duration that may be "off" (empty). */
    static Optional<Duration> optional(Config c, String path, String key, List<String> problems) {
        if (c.getValue(path).unwrapped() instanceof String s && s.trim().equalsIgnoreCase(Settings.OFF)) {
            return Optional.empty();
        }
        return Optional.of(positive(c, path, key, problems));
    }
}
