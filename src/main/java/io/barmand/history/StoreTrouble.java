package io.barmand.history;

import java.time.Instant;

/**
 * An episode of writes the history file refuses: what SQLite says ("SQLITE_FULL", "SQLITE_BUSY"), since when, its last
 * message, and how many run records wait in memory to be written.
 */
public record StoreTrouble(String what, Instant since, String message, int kept) {
    /** "history store: SQLITE_FULL since 2026-12-07T18:40:00Z: 3 run record(s) kept in memory (...)": for people. */
    public String text(java.nio.file.Path file) {
        return "history store: " + what + " since " + since + ": " + file + " takes no writes (" + message + "); " + kept
                + " run record(s) kept in memory until it does: a restart would lose them (see docs/operations.md)";
    }
}
