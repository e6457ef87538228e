package io.barmand.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * HOCON's {@code include "x.conf"} and {@code include file("...")}, made strict: HOCON skips an included file that
 * is missing or that it cannot read, without a word, so that the daemon's user (who may not read what root's
 * check-config read) would run without it. Here such an include is a problem of the including file, and every file
 * read is listed (to check, as root, that the daemon's user can read it). Classpath and URL includes are HOCON's.
 */
final class Includes implements ConfigIncluder, ConfigIncluderFile {
    private static final List<String> SUFFIXES = List.of(".conf", ".json", ".properties");

    private final Path from;
    private final List<Path> files;
    private final List<String> problems;

    /** {@code from}: the file being parsed; {@code files} and {@code problems} are added to. */
    Includes(Path from, List<Path> files, List<String> problems) {
        this.from = from;
        this.files = files;
        this.problems = problems;
    }

    static ConfigParseOptions options(Path from, List<Path> files, List<String> problems) {
        return ConfigParseOptions.defaults().setAllowMissing(false).setIncluder(new Includes(from, files, problems));
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
        return this;
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        Path dir = from.toAbsolutePath().getParent();
        return read("include \"" + what + "\"", dir == null ? Path.of(what) : dir.resolve(what));
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        return read("include file(\"" + what + "\")", what.toPath());
    }

    private ConfigObject read(String directive, Path target) {
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        List<Path> found = new ArrayList<>();
        if (Files.exists(target) || name.contains(".")) {
            found.add(target);
        } else {
            // HOCON's `include "x"`: x.conf, x.json and x.properties, those that are there
            for (String s : SUFFIXES) {
                Path p = target.resolveSibling(name + s);
                if (Files.exists(p)) {
                    found.add(p);
                }
            }
        }
        if (found.isEmpty() || !Files.exists(found.get(0))) {
            problems.add(from + ": " + directive + ": " + target + " does not exist (HOCON would skip it silently)");
            return ConfigFactory.empty().root();
        }
        ConfigObject merged = ConfigFactory.empty().root();
        for (Path p : found) {
            java.util.Optional<String> why = ConfigFiles.unreadable(p);
            if (why.isPresent()) {
                problems.add(from + ": " + directive + ": cannot read " + p + " (" + why.get() + ")");
                continue;
            }
            files.add(p);
            try {
                ConfigObject one = ConfigFactory.parseFile(p.toFile(), options(p, files, problems)).root();
                merged = one.withFallback(merged);
            } catch (ConfigException e) {
                problems.add(p + ": not valid HOCON: " + e.getMessage());
            }
        }
        return merged;
    }
}
