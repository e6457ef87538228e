package io.barmand.health;

import java.time.Instant;

/**
 * Something wrong with a server (or the host: server ""), as found at one instant.
 *
 * @param key what is wrong, stable while the problem lasts ("backup", "backup-age", "missed-backup", "wal-age",
 *            ...): one alert per server and key, and a "recovered" mail when it is gone
 * @param what a few words for a subject: "backup", "restore test", "WAL age"
 * @param text the whole sentence for people: "backup failed (run 41): barman backup exited 1: ..."
 * @param since when it began (the failed run's end, the missed fire time), if known
 * @param alert whether it is mailed at once (a failed check is only in the report)
 */
public record Problem(String server, String key, Severity severity, String what, String text, Instant since,
                      boolean alert) {
    /** "pg1 backup", the problem's identity. */
    public String id() {
        return server.isEmpty() ? key : server + " " + key;
    }

    /** "pg1 backup" for the subject line. */
    public String label() {
        return server.isEmpty() ? what : server + " " + what;
    }
}
