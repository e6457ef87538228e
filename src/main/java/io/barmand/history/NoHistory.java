package io.barmand.history;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The history of a host where the daemon has never started (no STATE-DIR/history.db): every read finds nothing, so
 * that what reads the history (the report on demand) says that nothing has run yet instead of failing; every write
 * is refused (only the daemon writes, into its own store).
 */
public final class NoHistory implements RunHistory {
    private final Path file;

    /** @param file the history file that does not exist yet, for {@link #where()} and the refusals */
    public NoHistory(Path file) {
        this.file = file;
    }

    private BarmandException refused() {
        return new BarmandException(Category.UNAVAILABLE, file + ": no history yet: only the daemon records runs");
    }

    @Override
    public long start(String server, String job, Trigger trigger, Instant started) {
        throw refused();
    }

    @Override
    public long queue(String server, String job, Trigger trigger, Instant at, int attempt) {
        throw refused();
    }

    @Override
    public boolean begin(long id, Instant at, long waitedMs) {
        throw refused();
    }

    @Override
    public long skipped(String server, String job, Trigger trigger, Instant at, String reason, int attempt) {
        throw refused();
    }

    @Override
    public void dequeue(long id, Instant at, long waitedMs, String reason) {
        throw refused();
    }

    @Override
    public void finish(long id, Outcome outcome, Instant ended, long durationMs, RunFigures figures) {
        throw refused();
    }

    @Override
    public int markRunningInterrupted(Instant at, String reason) {
        return 0;
    }

    @Override
    public Optional<RunRecord> get(long id) {
        return Optional.empty();
    }

    @Override
    public Optional<RunRecord> lastRun(String server, String job, boolean includeSkipped) {
        return Optional.empty();
    }

    @Override
    public Optional<RunRecord> lastEnded(String server, String job) {
        return Optional.empty();
    }

    @Override
    public Optional<RunRecord> last(String server, String job, Outcome outcome) {
        return Optional.empty();
    }

    @Override
    public List<RunRecord> lastN(String server, String job, Outcome outcome, int n) {
        return List.of();
    }

    @Override
    public List<RunRecord> since(String server, String job, Instant since) {
        return List.of();
    }

    @Override
    public List<RunRecord> window(Instant from, Instant to) {
        return List.of();
    }

    @Override
    public List<Asked> asked(Instant from, Instant to) {
        return List.of();
    }

    @Override
    public List<RunRecord> troubles(Instant from, Instant to) {
        return List.of();
    }

    @Override
    public List<RunRecord> list(String server, String job, int limit) {
        return List.of();
    }

    @Override
    public int prune(Instant before) {
        return 0;
    }

    @Override
    public Optional<Instant> recordDaemonStart(Instant at, String version) {
        throw refused();
    }

    @Override
    public Optional<Instant> firstDaemonStart() {
        return Optional.empty();
    }

    @Override
    public String where() {
        return file + " (not there yet)";
    }

    @Override
    public void close() {
        // nothing open
    }
}
