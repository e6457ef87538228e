package io.barmand.barman;

import java.time.Instant;
import java.util.Optional;

/**
 * How far Barman can restore a server, read from its own files (no Python start): the newest DONE backup, the newest
 * WAL file of its archive, and the first WAL segment missing between that backup's begin and the archive's newest.
 *
 * @param known whether Barman's folders of the server could be read at all; when false, nothing below is known
 * @param newestDone the newest DONE backup (empty: none)
 * @param newestWal the newest WAL segment in the archive (WALS/xlog.db) and when it was archived
 * @param firstMissingWal the first segment missing from the chain that a recovery of {@code newestDone} replays up to
 *                        the newest (its end WAL at least): empty when the chain is whole
 */
public record RestorePoint(boolean known, Optional<DoneBackup> newestDone, Optional<Wal> newestWal,
                           Optional<String> firstMissingWal) {
    /** Nothing known: Barman's folders are not (yet) known, or cannot be read. */
    public static final RestorePoint UNKNOWN = new RestorePoint(false, Optional.empty(), Optional.empty(), Optional.empty());

    /** A DONE backup: its id, when it ended, its first WAL segment. */
    public record DoneBackup(String backupId, Instant ended, String beginWal) {
    }

    /** A WAL segment and when Barman archived it. */
    public record Wal(String name, Instant archived) {
    }

    /** The newest point a recovery reaches: the newest WAL's archive time, else the backup's end. */
    public Optional<Instant> restorableTo() {
        if (newestDone.isEmpty()) {
            return Optional.empty();
        }
        Instant end = newestDone.get().ended();
        return Optional.of(newestWal.map(Wal::archived).filter(w -> w.isAfter(end)).orElse(end));
    }
}
