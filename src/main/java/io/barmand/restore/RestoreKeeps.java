package io.barmand.restore;

import io.barmand.vocabulary.KeepRegistry;
import java.nio.file.Path;
import java.util.Set;

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
        return io.barmand.state.Journal.ids(journal, server);
    }
}
