package io.barmand.history;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The record of every run, as the runner, the scheduler and the commands use it. {@link RunStore} keeps it in SQLite
 * on this host; a fleet of backup hosts can keep it elsewhere (PostgreSQL) behind the same contract.
 */
public interface RunHistory extends AutoCloseable {
    /** Records the start of a run that did not wait; returns its id. */
    long start(String server, String job, Trigger trigger, Instant started);

    /** Records a run that waits for its turn; returns its id. */
    long queue(String server, String job, Trigger trigger, Instant at, int attempt);

    /** A queued run starts, having waited {@code waitedMs}; false if it was not queued. */
    boolean begin(long id, Instant at, long waitedMs);

    /** Records a run that did not happen, with why; returns its id. */
    long skipped(String server, String job, Trigger trigger, Instant at, String reason, int attempt);

    default long skipped(String server, String job, Trigger trigger, Instant at, String reason) {
        return skipped(server, job, trigger, at, reason, 1);
    }

    /** A queued run that will not start after all: skipped, with why and how long it waited. */
    void dequeue(long id, Instant at, long waitedMs, String reason);

    /** Records the end of a run (one already ended is not changed). */
    void finish(long id, Outcome outcome, Instant ended, long durationMs, RunFigures figures);

    /** Runs still queued or running when a daemon stopped (or died): skipped or interrupted. Returns how many. */
    int markRunningInterrupted(Instant at, String reason);

    Optional<RunRecord> get(long id);

    /** The newest run of a job of a server (with or without skipped ones). */
    Optional<RunRecord> lastRun(String server, String job, boolean includeSkipped);

    /** The newest run of a job of a server that ended: success, failed or interrupted (not skipped, not open). */
    Optional<RunRecord> lastEnded(String server, String job);

    /** The newest run of a job of a server that ended with {@code outcome}. */
    Optional<RunRecord> last(String server, String job, Outcome outcome);

    /** The last {@code n} runs of a job of a server that ended with {@code outcome}, newest first. */
    List<RunRecord> lastN(String server, String job, Outcome outcome, int n);

    /** Runs of a job of a server started at or after {@code since}, newest first. */
    List<RunRecord> since(String server, String job, Instant since);

    /** Every run asked for in [from, to), oldest first. */
    List<RunRecord> window(Instant from, Instant to);

    /** When each run asked for in [from, to) was asked for: the missed-run check's input, without whole rows. */
    List<Asked> asked(Instant from, Instant to);

    /** The runs asked for in [from, to) that failed, were interrupted or skipped, oldest first (the report). */
    List<RunRecord> troubles(Instant from, Instant to);

    /** A run's server, job and when it was asked for. */
    record Asked(String server, String job, Instant requested) {
    }

    /** Newest first; null filters match everything. */
    List<RunRecord> list(String server, String job, int limit);

    /** Deletes runs that ended before {@code before}; returns how many. */
    int prune(Instant before);

    /** Records a daemon start; returns the previous one. */
    Optional<Instant> recordDaemonStart(Instant at, String version);

    Optional<Instant> firstDaemonStart();

    /** The episode of writes refused by the store in progress (rows kept in memory meanwhile), if any. */
    default Optional<StoreTrouble> trouble() {
        return Optional.empty();
    }

    /** Where the history is, for messages. */
    default String where() {
        return "the history";
    }

    @Override
    void close();
}
