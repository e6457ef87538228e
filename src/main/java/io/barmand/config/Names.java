package io.barmand.config;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names barmand turns into paths and arguments: a server's name (a file name in the state dir, the spool, the
 * scratch folder, a bucket prefix) and a Barman backup id. Checked where they come in (the configuration, the command
 * line, Barman's JSON, the bucket), so that nothing past that point meets {@code ..}, a slash or an option.
 */
public final class Names {
    /** Safe as one path component and as a Barman section name; neither {@code .}, {@code ..} nor an option. */
    private static final Pattern SERVER = Pattern.compile("[A-Za-z0-9._-]+");
    /** Barman's reserved words: {@code all} (barman/config.py FORBIDDEN_SERVER_NAMES), {@code barman} (its global section). */
    private static final Set<String> RESERVED = Set.of("all", "barman");
    /** With ".journal" or "-wal" appended it stays under the 255 bytes of a file name. */
    static final int SERVER_MAX = 200;
    /** Barman's backup id: the backup's start, YYYYMMDDTHHMMSS. */
    private static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{6}");

    private Names() {
    }

    /** What is wrong with {@code name} as a server's name, in the admin's words; empty when it is fine. */
    public static Optional<String> serverProblem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("a server name cannot be empty");
        }
        if (!SERVER.matcher(name).matches()) {
            return Optional.of("'" + printable(name) + "' is not a valid server name: letters, digits, '.', '_' and '-' only");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("'" + name + "' is not a valid server name: it names a folder");
        }
        if (name.startsWith("-")) {
            return Optional.of("'" + name + "' is not a valid server name: it cannot start with '-'");
        }
        if (RESERVED.contains(name)) {
            return Optional.of("'" + name + "' is not a valid server name: a reserved word of Barman");
        }
        if (name.length() > SERVER_MAX) {
            return Optional.of("a server name is at most " + SERVER_MAX + " characters, this one has " + name.length());
        }
        return Optional.empty();
    }

    public static boolean isServer(String name) {
        return serverProblem(name).isEmpty();
    }

    /** {@code name} when it is a valid server name, else a usage error (a command line's SERVER). */
    public static String server(String name) {
        serverProblem(name).ifPresent(p -> {
            throw new BarmandException(Category.USAGE, p);
        });
        return name;
    }

    public static boolean isBackupId(String id) {
        return id != null && BACKUP_ID.matcher(id).matches();
    }

    /**
     * {@code id} when it is a Barman backup id; else a {@code JOB_FAILED} naming {@code source} (Barman's
     * list-backups, the bucket...): an id that is not one is never turned into a path or an argument.
     */
    public static String backupId(String id, String source) {
        if (!isBackupId(id)) {
            throw new BarmandException(Category.JOB_FAILED, source + ": '" + printable(String.valueOf(id))
                    + "' is not a Barman backup id (YYYYMMDDTHHMMSS): refused");
        }
        return id;
    }

    /** The name with control characters shown as '?' and cut to 80 characters (for a message). */
    static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() <= 80 ? p : p.substring(0, 80) + "...";
    }
}
