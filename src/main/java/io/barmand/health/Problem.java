package io.barmand.health;

import io.barmand.config.JobKind;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Something wrong with a server (or the host: server ""), as found at one instant.
 *
 * @param key what is wrong, stable while the problem lasts ("backup", "backup-age", "missed-backup", "wal-age",
 *            ...): one alert per server and key, and a "recovered" mail when it is gone
 * @param what a few words for a subject: "backup", "restore test", "WAL age"
 * @param text the whole sentence for people: "backup failed (run 41): barman backup exited 1: ..."
 * @param since when it began (the failed run's end, the missed fire time), if known
 * @param alert whether it is mailed at once (a failed check is only in the report)
 * @param job the job kind it is about, when it is about one (not the WAL's age, not the history store)
 * @param run the failed run it comes from, when it comes from one
 */
public record Problem(String server, String key, Severity severity, String what, String text, Instant since,
                      boolean alert, Optional<JobKind> job, OptionalLong run) {
    /** A problem of no single run; its job read from its key ("missed-backup", "restore-test-age": the job's id). */
    public Problem(String server, String key, Severity severity, String what, String text, Instant since, boolean alert) {
        this(server, key, severity, what, text, since, alert, jobOf(key), OptionalLong.empty());
    }

    /** "pg1 backup", the problem's identity. */
    public String id() {
        return server.isEmpty() ? key : server + " " + key;
    }

    /** "pg1 backup" for the subject line. */
    public String label() {
        return server.isEmpty() ? what : server + " " + what;
    }

    /** The job kind whose id starts the key, after "missed-": the longest such id. */
    static Optional<JobKind> jobOf(String key) {
        String k = key.startsWith("missed-") ? key.substring("missed-".length()) : key;
        return Arrays.stream(JobKind.values()).filter(j -> k.equals(j.id()) || k.startsWith(j.id() + "-"))
                .max(Comparator.comparingInt(j -> j.id().length()));
    }
}
