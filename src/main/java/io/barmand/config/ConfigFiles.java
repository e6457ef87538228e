package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigUtil;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files of one configuration: the main file, then every {@code conf.d/*.conf} beside it (one file per server, as
 * Barman's barman.d), sorted by name and merged in that order over the main file, a later file winning. A problem is
 * named with the file that set the value it is about ("conf.d/pg1.conf: barmand.servers.pg1...: what (line N)").
 */
final class ConfigFiles {
    static final String DIR = "conf.d";
    static final String SUFFIX = ".conf";

    private ConfigFiles() {
    }

    /** {@code main} and, after it, the included files in the order they are merged. */
    static List<Path> of(Path main) {
        List<Path> files = new ArrayList<>();
        files.add(main);
        Path dir = includeDir(main);
        if (!Files.isDirectory(dir)) {
            return files;
        }
        List<Path> included = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                // editors' and dpkg's leftovers (.conf.dpkg-old, .conf~) do not match; a folder named x.conf is skipped,
                // an unreadable file (or a dangling link) is kept, to be reported as one
                if (!Files.isDirectory(p)) {
                    included.add(p);
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.CONFIG, dir + ": cannot list the included files: " + e.getMessage(), e);
        }
        included.sort(Comparator.comparing(p -> p.getFileName().toString()));
        files.addAll(included);
        return files;
    }

    /** The most a configuration file may hold: a file larger (or endless, /dev/zero) is refused before it is read. */
    static final long MAX_SIZE = 4L * 1024 * 1024;

    /**
     * Why {@code f} cannot be read as a configuration file (missing, not a regular file, unreadable, too large); empty
     * when it can.
     */
    static java.util.Optional<String> unreadable(Path f) {
        if (!Files.exists(f)) {
            return java.util.Optional.of("no such file");
        }
        if (!Files.isRegularFile(f)) {
            return java.util.Optional.of("not a regular file");
        }
        if (!Files.isReadable(f)) {
            return java.util.Optional.of("permission denied");
        }
        try {
            long size = Files.size(f);
            if (size > MAX_SIZE) {
                return java.util.Optional.of(size + " bytes, more than the " + MAX_SIZE / (1024 * 1024)
                        + " MiB a configuration file may hold");
            }
        } catch (IOException e) {
            return java.util.Optional.of(e.getMessage());
        }
        return java.util.Optional.empty();
    }

    /** The folder of the included files: {@code conf.d} beside the main file. */
    static Path includeDir(Path main) {
        Path parent = main.toAbsolutePath().getParent();
        return (parent == null ? Path.of("/") : parent).resolve(DIR);
    }

    /**
     * Each problem that names the main file ("MAIN: KEY...: what") but is about a value an included file set, named
     * with that file instead. {@code user}: the files merged, whose values keep their origin.
     */
    static List<String> attribute(List<String> problems, Path main, List<Path> files, Config user) {
        if (files.size() < 2) {
            return problems;
        }
        String prefix = main + ": ";
        List<String> out = new ArrayList<>(problems.size());
        for (String p : problems) {
            Path from = p.startsWith(prefix) ? fileOf(key(p.substring(prefix.length())), files, user) : null;
            out.add(from == null || from.equals(main) ? p : from + ": " + p.substring(prefix.length()));
        }
        return out;
    }

    /** The KEY a problem's text starts with: up to its first ": " or " = ". */
    static String key(String rest) {
        int end = rest.length();
        for (String sep : List.of(": ", " = ")) {
            int i = rest.indexOf(sep);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        return rest.substring(0, end);
    }

    /**
     * The file of {@code files} that set {@code key} in {@code user}; null when unknown (not a path, a merged block).
     * A server's key its block does not set is the one it inherits from {@code defaults}.
     */
    private static Path fileOf(String key, List<Path> files, Config user) {
        try {
            if (user.hasPathOrNull(key)) {
                return file(user.getValue(key).origin(), files);
            }
            List<String> path = ConfigUtil.splitPath(key);
            if (path.size() > 3 && path.get(0).equals(Settings.ROOT) && path.get(1).equals("servers")) {
                List<String> inherited = new ArrayList<>(List.of(Settings.ROOT, "defaults"));
                inherited.addAll(path.subList(3, path.size()));
                String d = ConfigUtil.joinPath(inherited);
                return user.hasPathOrNull(d) ? file(user.getValue(d).origin(), files) : null;
            }
            return null;
        } catch (ConfigException e) {
            return null; // not a path
        }
    }

    /** The file of {@code files} an origin is in; null when none. */
    static Path file(ConfigOrigin o, List<Path> files) {
        if (o == null || o.filename() == null) {
            return null;
        }
        Path f = Path.of(o.filename()).toAbsolutePath().normalize();
        for (Path c : files) {
            if (c.toAbsolutePath().normalize().equals(f)) {
                return c;
            }
        }
        return null;
    }
}
