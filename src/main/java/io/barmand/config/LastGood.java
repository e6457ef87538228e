package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings the daemon last started with, kept as {@code STATE-DIR/last-good.conf}, so that {@code status} and
 * {@code history} still work when an edit breaks the configuration file: they read the file as usual and, when it
 * is broken, say so in one line and go on from the last good settings, or from the history store alone.
 */
public final class LastGood {
    public static final String FILE = "last-good.conf";
    private static final Pattern STATE_DIR = Pattern.compile("state-dir\\s*[=:]\\s*\"?([^\"\\s,}]+)");

    private LastGood() {
    }

    /** Where {@code status} and {@code history} take their settings from. */
    public enum Source { CONFIG, LAST_GOOD, HISTORY_ONLY }

    /**
     * What a reader goes on with.
     *
     * @param settings the file's settings, or the last good ones; empty when neither loads (the history alone)
     * @param stateDir where the history is
     * @param warning the one line that says the file is broken and what is shown instead; empty when it is not
     */
    public record Loaded(Source source, Optional<Settings> settings, Path stateDir, Optional<String> warning) {
    }

    /** Writes the effective settings to STATE-DIR/last-good.conf (0640, replaced atomically). */
    public static void save(Settings s, Instant at) throws IOException {
        Path dir = s.stateDir();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        String text = "# written by barmand at its start, " + at + ", from " + s.file() + ": the settings `barmand status`\n"
                + "# and `barmand history` read when that file is broken. Not read by the daemon.\n" + s.render() + "\n";
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The settings of {@code file} for a reader of the history ({@code catalog} as for {@link Settings#load}); when
     * the file is broken, the last good ones, else the history store alone. Any other error is thrown.
     */
    public static Loaded load(Path file, ServerCatalog catalog) {
        BarmandException broken;
        try {
            Settings s = Settings.load(file, catalog);
            return new Loaded(Source.CONFIG, Optional.of(s), s.stateDir(), Optional.empty());
        } catch (BarmandException e) {
            if (e.category() != Category.CONFIG) {
                throw e;
            }
            broken = e;
        }
        String[] problems = broken.getMessage().split("\n");
        String first = problems[0].strip() + (problems.length > 1 ? " (and " + (problems.length - 1)
                + " more problem(s): barmand check-config)" : "");
        Path stateDir = stateDir(file);
        Path lastGood = stateDir.resolve(FILE);
        if (Files.isReadable(lastGood)) {
            try {
                Settings s = Settings.load(lastGood, catalog);
                return new Loaded(Source.LAST_GOOD, Optional.of(s), s.stateDir(), Optional.of("warning: the configuration is broken: "
                        + first + "; showing the settings barmand last started with (" + lastGood + ", " + written(lastGood) + ")"));
            } catch (BarmandException e) {
                // below: the history alone
            }
        }
        return new Loaded(Source.HISTORY_ONLY, Optional.empty(), stateDir, Optional.of("warning: the configuration is broken: "
                + first + "; showing the history in " + stateDir + " alone (no last good settings"
                + (Files.exists(lastGood) ? ": " + lastGood + " does not load either" : " in " + lastGood) + ")"));
    }

    /**
     * The state dir a broken file names, as far as it parses: its HOCON, else the first line that sets state-dir,
     * else reference.conf's default.
     */
    static Path stateDir(Path file) {
        String dflt = ConfigFactory.parseResources(LastGood.class.getClassLoader(), "reference.conf")
                .getString(Settings.ROOT + ".state-dir");
        if (ConfigFiles.unreadable(file).isPresent()) {
            return Path.of(dflt); // not read at all: /dev/zero, a folder, a huge file
        }
        try {
            Config c = ConfigFactory.parseFile(file.toFile());
            String key = Settings.ROOT + ".state-dir";
            if (c.hasPath(key)) {
                Path p = Path.of(c.getString(key));
                return p.isAbsolute() ? p : Path.of(dflt);
            }
            return Path.of(dflt);
        } catch (ConfigException | IllegalArgumentException e) {
            // not HOCON: look for the line
        }
        try {
            Matcher m = STATE_DIR.matcher(Files.readString(file));
            if (m.find() && Path.of(m.group(1)).isAbsolute()) {
                return Path.of(m.group(1));
            }
        } catch (IOException | RuntimeException e) {
            // the default
        }
        return Path.of(dflt);
    }

    private static String written(Path f) {
        try {
            return "written " + Files.getLastModifiedTime(f).toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        } catch (IOException e) {
            return "time unknown";
        }
    }
}
