package io.barmand.retention;

import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.state.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention's journals in state-dir ({@code SERVER@ID.keep} files): the standalone keeps barmand took
 * ({@link #KEEPS}, with the time of Barman's annotation) and the copies the S3 policy expired ({@link #EXPIRED}).
 * Read by the gathering, written by the local and the bucket's applying.
 */
final class Journals {
    private static final Logger log = LoggerFactory.getLogger(Journals.class);
    static final String KEEPS = "retention-keeps";
    /** The copies the S3 policy expired (STATE-DIR/offsite-expired/SERVER@ID.keep): copied, so no rail holds them. */
    static final String EXPIRED = "offsite-expired";
    /** The journal line with the time of Barman's annotation of barmand's keep. */
    static final String ANNOTATION = "barman-annotation-written: ";

    private final Path stateDir;
    private final Clock clock;

    Journals(Path stateDir, Clock clock) {
        this.stateDir = stateDir;
        this.clock = clock;
    }

    /** The backup ids of a journal folder (STATE-DIR/NAME/SERVER@ID.keep) of this server. */
    Set<String> ids(String name, String server) {
        return Journal.ids(stateDir.resolve(name), server);
    }

    /** The file of one entry. */
    Path entry(String name, String server, String id) {
        return stateDir.resolve(name).resolve(server + "@" + id + ".keep");
    }

    /** Notes barmand's standalone keep of a backup, before it is taken. */
    void noteKeep(String server, String id, String why) {
        note(KEEPS, server, id, "barman keep --target standalone by barmand's retention at " + clock.instant() + ": " + why);
    }

    /** Writes STATE-DIR/NAME/SERVER@ID.keep with {@code text}; a failure stops the run (nothing done after it). */
    void note(String name, String server, String id, String text) {
        Names.backupId(id, "barmand's journal " + name);
        Path dir = stateDir.resolve(name);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(server + "@" + id + ".keep"), text + "\n");
        } catch (IOException e) {
            throw new BarmandException(Category.IO, dir + ": cannot write down backup " + id + ": " + e.getMessage(), e);
        }
    }

    void noteAnnotation(String server, String id, Instant written) {
        Path f = entry(KEEPS, server, id);
        try {
            Files.writeString(f, ANNOTATION + written + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the entry stays, matched by its own time (as an older barmand's)
            log.warn("{}: cannot note when Barman wrote the keep of backup {}: {}", f, id, e.getMessage());
        }
    }

    /** Drops barmand's note of its keep of a backup. */
    void forgetKeep(String server, String id) {
        forget(KEEPS, server, id);
    }

    void forget(String name, String server, String id) {
        if (!Names.isBackupId(id)) {
            return;
        }
        try {
            Files.deleteIfExists(entry(name, server, id));
        } catch (IOException e) {
            log.warn("{}: {}", stateDir.resolve(name), e.getMessage());
        }
    }
}
