package io.barmand.history;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * An episode of writes the history file refuses, from the first refusal to the write that goes through: told once at
 * each end (and when what SQLite says changes), never per write; the backoff of the retries between.
 */
final class Episode {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.history");

    private final Path file;
    private final Clock clock;
    private final Duration firstRetry;
    private final Duration maxRetry;
    /** null when writes go through */
    private StoreTrouble trouble;
    private int tries;

    Episode(Path file, Clock clock, Duration firstRetry, Duration maxRetry) {
        this.file = file;
        this.clock = clock;
        this.firstRetry = firstRetry;
        this.maxRetry = maxRetry;
    }

    boolean active() {
        return trouble != null;
    }

    /** A write refused with {@code kept} records waiting; true when this begins the episode. */
    boolean refused(SQLException e, int kept) {
        String what = what(e);
        if (trouble == null) {
            trouble = new StoreTrouble(what, clock.instant(), e.getMessage(), kept);
            log.error("history store: {} since {}: {} cannot be written ({}); {} run record(s) kept in memory and written once"
                    + " it takes writes again (tried again every {} s at most); runs go on", what, trouble.since(), file,
                    e.getMessage(), kept, maxRetry.toSeconds());
            return true;
        }
        if (!trouble.what().equals(what)) {
            log.error("history store: {} since {} (was {}): {} run record(s) kept in memory", what, clock.instant(),
                    trouble.what(), kept);
        }
        trouble = new StoreTrouble(what, trouble.since(), e.getMessage(), kept);
        return false;
    }

    /** The write went through: the episode, if any, is over. */
    void over(int written) {
        if (trouble != null) {
            log.warn("history store: writes accepted again after {} s ({} since {}): {} run record(s) kept in memory written",
                    Duration.between(trouble.since(), clock.instant()).toSeconds(), trouble.what(), trouble.since(), written);
            trouble = null;
            tries = 0;
        }
    }

    /** How long until the next try: {@code firstRetry}, doubling, {@code maxRetry} at most. */
    long nextDelayMs() {
        long ms = Math.min(maxRetry.toMillis(), firstRetry.toMillis() << Math.min(tries, 20));
        tries++;
        return ms;
    }

    Optional<StoreTrouble> now(int kept) {
        return Optional.ofNullable(trouble).map(t -> new StoreTrouble(t.what(), t.since(), t.message(), kept));
    }

    /** "SQLITE_BUSY", "SQLITE_FULL", "SQLITE_IOERR_WRITE" (the file's own words), else the exception's class. */
    static String what(SQLException e) {
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            return se.getResultCode().name();
        }
        return e.getClass().getSimpleName();
    }
}
