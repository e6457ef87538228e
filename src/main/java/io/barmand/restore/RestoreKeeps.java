package io.barmand.restore;

import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.vocabulary.KeepRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Barman keeps restore tests hold, as written down in their journal (STATE-DIR/restore-keeps/SERVER@ID.keep,
 * by {@link KeepGuard} before each {@code barman keep}): what retention must not delete while a test reads it. The
 * journal's folder and its file names are restore's own; retention sees only the {@link KeepRegistry}.
 */
public final class RestoreKeeps implements KeepRegistry {
    static final String FOLDER = "restore-keeps";

    private final Path journal;

    private RestoreKeeps(Path journal) {
        this.journal = journal;
    }

    /** The journal under barmand's state folder. */
    public static RestoreKeeps in(Path stateDir) {
        return new RestoreKeeps(stateDir.resolve(FOLDER));
    }

    /** Where the keeps are written down. */
    Path journal() {
        return journal;
    }

    @Override
    public Set<String> keptBy(String server) {
        Set<String> ids = new TreeSet<>();
        if (!Files.isDirectory(journal)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(journal, server + "@*.keep")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String id = n.substring(server.length() + 1, n.length() - ".keep".length());
                if (Names.isBackupId(id)) {
                    ids.add(id); // anything else is no keep of barmand's (nor passed to barman)
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, journal + ": cannot read barmand's keeps: " + e.getMessage(), e);
        }
        return ids;
    }
}
