package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link Settings} asks of the host at load, apart from reading the file: Barman's binary and configuration file
 * are there, Barman knows every configured server ({@code barman list-servers}, once for all of them), and this
 * host's name. Problems in the file's words ("FILE: key: what"), joined to the others.
 */
final class HostProbes {
    private HostProbes() {
    }

    /** barman.binary is an executable file, barman.config-file (when set) a readable one. */
    static void barmanFiles(String where, Config c, List<String> problems) {
        Path binary = Path.of(c.getString("barman.binary"));
        if (!Files.isRegularFile(binary)) {
            problems.add(where + ": " + Settings.ROOT + ".barman.binary: " + binary + " does not exist");
        } else if (!Files.isExecutable(binary)) {
            problems.add(where + ": " + Settings.ROOT + ".barman.binary: " + binary + " is not executable");
        }
        String cf = c.getString("barman.config-file");
        if (!cf.isBlank() && !Files.isReadable(Path.of(cf))) {
            problems.add(where + ": " + Settings.ROOT + ".barman.config-file: " + cf + " does not exist or is not readable");
        }
    }

    /**
     * Each of {@code servers} known to Barman, asked whenever the binary is there (so that an unknown server is reported
     * with the file's other problems, not in a later round); a Barman that cannot answer is a configuration error.
     */
    static void knownServers(String where, Config c, ServerCatalog catalog, Collection<String> servers,
                             ConfigObject serversObj, List<String> problems) {
        Path binary = Path.of(c.getString("barman.binary"));
        String cf = c.getString("barman.config-file");
        if (!Files.isExecutable(binary) || !Files.isRegularFile(binary) || !cf.isBlank() && !Files.isReadable(Path.of(cf))) {
            return;
        }
        Set<String> known;
        try {
            known = catalog.knownServers(binary, cf.isBlank() ? Optional.empty() : Optional.of(Path.of(cf)),
                    c.getDuration("barman.probe-timeout"));
        } catch (BarmandException e) {
            throw new BarmandException(Category.CONFIG, where + ": " + Settings.ROOT + ".barman: cannot list Barman's servers: "
                    + e.getMessage(), e);
        }
        for (String name : servers) {
            if (!known.contains(name)) {
                problems.add(where + ": " + Settings.ROOT + ".servers." + name + ": Barman does not know server '" + name
                        + "' (barman list-servers: " + String.join(", ", new TreeSet<>(known)) + ")"
                        + Settings.line(serversObj.get(name).origin()));
            }
        }
    }

    /** This host's name (the kernel's), for subjects and the sender's address. */
    static String localHostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // below
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env.trim();
    }
}
