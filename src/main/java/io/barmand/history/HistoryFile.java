package io.barmand.history;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * The file {@code STATE-DIR/history.db} itself: refused when empty or unreadable (never replaced by a new, empty
 * history without a word), with what the admin does; kept to its owner and group.
 */
final class HistoryFile {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.history");

    /** What an admin does with a history file barmand refuses (docs/operations.md says more). */
    static final String RECOVERY = "To start a new history: stop barmand, move the file aside with its -wal and -shm files"
            + " (mv history.db history.db.broken; the same for history.db-wal and history.db-shm), start barmand. Lost"
            + " with it: the record of past runs (status, history, the report's trends, the alerts' 'since'); Barman's"
            + " backups and the offsite copies are not touched, and the journal keeps one line per run. sqlite3's"
            + " .recover may read rows back from the moved file.";

    private HistoryFile() {
    }

    /** SQLite would take a zero-length file as a new database: the history would start again, empty, without a word. */
    static void refuseEmpty(Path f) throws IOException {
        if (Files.exists(f) && Files.size(f) == 0) {
            throw new BarmandException(Category.IO, f + ": the history file is empty (0 bytes): barmand does not start"
                    + " a new history over it. " + RECOVERY);
        }
    }

    static boolean unreadable(SQLiteException e) {
        String code = e.getResultCode() == null ? "" : e.getResultCode().name();
        return code.equals("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT");
    }

    static BarmandException refuseUnreadable(Path f, SQLiteException e) {
        return new BarmandException(Category.IO, f + ": not a history SQLite can read (" + e.getMessage() + "). " + RECOVERY, e);
    }

    /**
     * The history and its -wal and -shm files: read and write for barmand's user, read for its group, nothing for
     * others, whatever the umask of the process that started barmand (SQLite gives the -wal and -shm files it creates
     * later the mode of the database file).
     */
    static void ownerAndGroupOnly(Path f) {
        for (Path p : List.of(f, f.resolveSibling(f.getFileName() + "-wal"), f.resolveSibling(f.getFileName() + "-shm"))) {
            try {
                if (Files.exists(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r-----"));
                }
            } catch (IOException | UnsupportedOperationException e) {
                log.warn("history store: cannot make {} readable by its owner and group only: {}", p, e.toString());
            }
        }
    }
}
