package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The blocks {@code state}, {@code node} and {@code fleet}: the fleet's shared PostgreSQL state database (empty
 * when {@code state.url} is, and then barmand is the single host it always was), this node's name and heartbeat,
 * and when a node counts as silent.
 */
public record FleetSettings(Optional<State> state, String nodeName, Duration heartbeat, Duration nodeSilentAfter) {
    /** The state database: where, as whom, with how many connections. */
    public record State(String url, String user, Optional<Path> passwordFile, int poolSize) {
    }

    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;]password=)|(//[^/@:?#]*:[^/@?#]*@)");

    /** Whether this host is a node of a fleet (it has a state database). */
    public boolean enabled() {
        return state.isPresent();
    }

    static FleetSettings read(Config c, String hostName, List<String> problems) {
        String k = Settings.ROOT + ".";
        String name = c.getString("node.name").trim();
        if (name.isEmpty()) {
            name = hostName;
        }
        if (!NODE.matcher(name).matches()) {
            problems.add(k + "node.name: \"" + Names.printable(name) + "\" is not a node name (letters, digits, '.', '_'"
                    + " and '-', starting with a letter or digit, at most 63 characters)"
                    + (c.getString("node.name").isBlank() ? ": the host name is not one, set node.name" : ""));
        }
        Duration heartbeat = MailSettings.positive(c, "state.heartbeat", k + "state.heartbeat", problems);
        Duration silent = MailSettings.positive(c, "fleet.node-silent-after", k + "fleet.node-silent-after", problems);
        if (silent.compareTo(heartbeat.multipliedBy(2)) < 0) {
            problems.add(k + "fleet.node-silent-after: must be at least twice state.heartbeat (" + heartbeat
                    .toString().substring(2).toLowerCase() + "), or a live node counts as silent between two heartbeats");
        }
        String url = c.getString("state.url").trim();
        if (url.isEmpty()) {
            return new FleetSettings(Optional.empty(), name, heartbeat, silent);
        }
        if (!url.startsWith("jdbc:postgresql://") || url.length() <= "jdbc:postgresql://".length()) {
            problems.add(k + "state.url: must be a PostgreSQL JDBC URL such as "
                    + "\"jdbc:postgresql://db.example.net:5432/barmand_state\", is \"" + Settings.maskUrl(url) + "\"");
        } else if (URL_PASSWORD.matcher(url).find()) {
            problems.add(k + "state.url: holds a password: put it in state.password-file (mode 0600) instead");
        }
        String user = c.getString("state.user").trim();
        if (user.isEmpty()) {
            problems.add(k + "state.user: must not be empty");
        }
        Optional<Path> password = Optional.empty();
        String pf = c.getString("state.password-file").trim();
        if (!pf.isEmpty()) {
            Path p = Path.of(pf);
            if (!p.isAbsolute()) {
                problems.add(k + "state.password-file: must be an absolute path, is \"" + pf + "\"");
            } else {
                OffsiteSettings.credentialsFileProblem(p).ifPresent(m -> problems.add(k + "state.password-file: " + m));
            }
            password = Optional.of(p);
        }
        int pool = 4;
        try {
            pool = c.getInt("state.pool-size");
            if (pool < 1 || pool > 64) {
                problems.add(k + "state.pool-size: must be between 1 and 64, is " + pool);
            }
        } catch (ConfigException e) {
            problems.add(k + "state.pool-size: must be a whole number between 1 and 64");
        }
        return new FleetSettings(Optional.of(new State(url, user, password, pool)), name, heartbeat, silent);
    }
}
