package io.barmand.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One element of {@code alerts.webhooks}: where alerts and "recovered" events are posted besides mail, in Slack's
 * incoming-webhook shape or as a JSON document of typed fields, optionally signed (HMAC-SHA256 of the body with the
 * secret of {@code secret-file}, in the header {@code X-Barmand-Signature: sha256=HEX}).
 *
 * @param name the webhook's name in logs, metrics ({@code webhook="..."}) and the spool: {@code name}, or the URL's host
 * @param url where to POST; never logged whole (a Slack URL's path is its secret): see {@link #masked()}
 */
public record WebhookSettings(String name, URI url, Format format, Optional<Path> secretFile, Duration timeout) {
    /** The body's shape. */
    public enum Format {
        /** {@code {"text": "..."}}: Slack's incoming webhook, which Mattermost and Rocket.Chat take too */
        SLACK,
        /** a document of typed fields (docs/alerts.md) */
        JSON;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final Set<String> KEYS = Set.of("name", "url", "format", "secret-file", "timeout");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** "https://hooks.slack.com/…": the scheme, host and port only; the path and query may hold a token. */
    public String masked() {
        return masked(url);
    }

    static String masked(URI u) {
        if (u.getHost() == null) {
            return "********";
        }
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/") ? "/" : "/…");
    }

    /**
     * Reads {@code alerts.webhooks}; problems as "barmand.alerts.webhooks[N].key: what (line L)", warnings (a plain
     * http URL to another host) as the same.
     */
    static List<WebhookSettings> readAll(com.typesafe.config.Config c, List<String> problems, List<String> warnings) {
        String k = Settings.ROOT + ".alerts.webhooks";
        List<WebhookSettings> out = new ArrayList<>();
        ConfigList list;
        try {
            list = c.getList("alerts.webhooks");
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(k + ": must be a list of blocks, e.g. [ { url = \"https://...\", format = slack } ]");
            return out;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue v = list.get(i);
            String key = k + "[" + i + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                problems.add(key + ": must be a block { url = \"https://...\", format = slack }" + Settings.line(v.origin()));
                continue;
            }
            one(key, (ConfigObject) v, problems, warnings).ifPresent(w -> {
                if (!names.add(w.name())) {
                    problems.add(key + ".name: \"" + w.name() + "\" names another webhook too (give each its own name)"
                            + Settings.line(v.origin()));
                } else {
                    out.add(w);
                }
            });
        }
        return out;
    }

    private static Optional<WebhookSettings> one(String key, ConfigObject o, List<String> problems, List<String> warnings) {
        int before = problems.size();
        for (String f : o.keySet()) {
            if (!KEYS.contains(f)) {
                problems.add(key + "." + f + ": unknown key" + Near.suggestion(f, KEYS) + Settings.line(o.get(f).origin()));
            }
        }
        URI url = null;
        String u = text(o, "url", key, problems);
        String at = Settings.line(o.get("url") == null ? o.origin() : o.get("url").origin());
        if (u == null || u.isBlank()) {
            if (u != null || o.get("url") == null) {
                problems.add(key + ".url: must be set, e.g. \"https://hooks.slack.com/services/...\"" + at);
            }
        } else {
            try {
                url = new URI(u.trim());
                String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("https") && !scheme.equals("http") || url.getHost() == null) {
                    problems.add(key + ".url: must be an http:// or https:// URL with a host" + at);
                    url = null;
                } else if (url.getRawUserInfo() != null) {
                    // the file is shown by check-config and logged (masked, but a refusal is clearer than a mask)
                    problems.add(key + ".url: must not hold credentials (user:password@): put a token in "
                            + key + ".secret-file, or use the URL the service gives for a webhook" + at);
                    url = null;
                } else if (scheme.equals("http") && !loopback(url.getHost())) {
                    warnings.add(key + ".url: " + masked(url) + " is plain http to another host: alerts and their "
                            + "signature travel unencrypted (use https)" + at);
                }
            } catch (URISyntaxException e) {
                problems.add(key + ".url: not a URL (" + e.getReason() + ")" + at);
            }
        }
        Format format = Format.SLACK;
        String fmt = text(o, "format", key, problems);
        if (fmt == null) {
            if (o.get("format") == null) {
                problems.add(key + ".format: must be set: slack or json" + Settings.line(o.origin()));
            }
        } else {
            try {
                format = Format.valueOf(fmt.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add(key + ".format: must be slack or json, is \"" + fmt + "\"" + Settings.line(o.get("format").origin()));
            }
        }
        Optional<Path> secret = Optional.empty();
        String sf = text(o, "secret-file", key, problems);
        if (sf != null && !sf.isBlank()) {
            Path p = Path.of(sf.trim());
            if (!p.isAbsolute()) {
                problems.add(key + ".secret-file: must be an absolute path, is \"" + sf + "\"" + Settings.line(o.get("secret-file").origin()));
            } else {
                OffsiteSettings.credentialsFileProblem(p).ifPresent(m -> problems.add(key + ".secret-file: " + m
                        + Settings.line(o.get("secret-file").origin())));
            }
            secret = Optional.of(p);
        }
        Duration timeout = DEFAULT_TIMEOUT;
        if (o.get("timeout") != null) {
            try {
                timeout = o.toConfig().getDuration("timeout");
                if (timeout.isNegative() || timeout.isZero()) {
                    problems.add(key + ".timeout: must be positive" + Settings.line(o.get("timeout").origin()));
                }
            } catch (com.typesafe.config.ConfigException e) {
                problems.add(key + ".timeout: must be a duration such as 10s, is \"" + o.get("timeout").unwrapped() + "\""
                        + Settings.line(o.get("timeout").origin()));
            }
        }
        String name = text(o, "name", key, problems);
        if (name != null && !name.isBlank()) {
            name = name.trim();
            if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                problems.add(key + ".name: only letters, digits, '.', '_' and '-' (it names a metric's label and the "
                        + "spool's files), is \"" + name + "\"" + Settings.line(o.get("name").origin()));
            }
        } else {
            name = url == null ? "webhook" : url.getHost();
        }
        if (problems.size() > before || url == null) {
            return Optional.empty();
        }
        return Optional.of(new WebhookSettings(name, url, format, secret, timeout));
    }

    /** The text of {@code f}, null when absent or not a text (said). */
    private static String text(ConfigObject o, String f, String key, List<String> problems) {
        ConfigValue v = o.get(f);
        if (v == null) {
            return null;
        }
        if (v.valueType() != ConfigValueType.STRING) {
            problems.add(key + "." + f + ": must be a text in quotes" + Settings.line(v.origin()));
            return null;
        }
        return (String) v.unwrapped();
    }

    /** localhost, 127.0.0.0/8 or ::1, without asking DNS for any other name. */
    static boolean loopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!h.matches("[0-9.]+") && !h.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
