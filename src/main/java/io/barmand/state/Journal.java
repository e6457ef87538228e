package io.barmand.state;

import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A journal folder of barmand's in state-dir whose files are named {@code SERVER@ID.keep}, one per backup (restore's
 * keeps, retention's keeps and expired copies): the ids of one server, read the same way by each.
 */
public final class Journal {
    private Journal() {
    }

    /** The backup ids of {@code server} in {@code dir} (none when it does not exist); a name that is no id is passed over. */
    public static Set<String> ids(Path dir, String server) {
        Set<String> ids = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, server + "@*.keep")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                String id = n.substring(server.length() + 1, n.length() - ".keep".length());
                if (Names.isBackupId(id)) {
                    ids.add(id); // anything else is no keep of barmand's (nor passed to barman)
                }
            }
        } catch (IOException e) {
            throw new BarmandException(Category.IO, dir + ": cannot read barmand's keeps: " + e.getMessage(), e);
        }
        return ids;
    }
}
