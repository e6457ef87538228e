package io.barmand.metrics;

import io.barmand.barman.BarmanRecords.BackupSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Barman's backup catalogue of each server ({@code barman list-backups}, slow on a server with many backups), kept
 * for {@code ttl}: a scrape reads what is kept and never waits for Barman. A listing older than {@code ttl} (or
 * marked changed) is read again on {@code refresher}, once at a time per server; until it is back the scrape gets
 * the older one. A listing that cannot be read leaves the last good one in place, and is tried again after
 * {@code ttl} too (a broken Barman is not asked at every scrape).
 */
final class BackupCatalogue {
    private static final Logger log = LoggerFactory.getLogger(BackupCatalogue.class);

    /** A server's backups as Barman listed them, and when. */
    record Listing(List<BackupSummary> backups, Instant readAt) {
        Listing {
            backups = List.copyOf(backups);
        }
    }

    /** What is known of one server: the last good listing, whether the last attempt worked, and when it was. */
    private static final class Entry {
        volatile Listing good;
        volatile Instant tried;
        volatile boolean ok;
        volatile boolean changed;
        final AtomicBoolean reading = new AtomicBoolean();
    }

    private final Function<String, List<BackupSummary>> source;
    private final Duration ttl;
    private final Clock clock;
    private final Executor refresher;
    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param source the backups of a server (it may throw); called on {@code refresher} only
     * @param refresher where listings are read: a background thread in the daemon, the caller's in tests
     */
    BackupCatalogue(Function<String, List<BackupSummary>> source, Duration ttl, Clock clock, Executor refresher) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, is " + ttl);
        }
        this.source = source;
        this.ttl = ttl;
        this.clock = clock;
        this.refresher = refresher;
    }

    /** The newest good listing of the server, if any; asks for a new one when it is due. */
    Optional<Listing> get(String server) {
        Entry e = entries.computeIfAbsent(server, s -> new Entry());
        Instant tried = e.tried;
        if ((tried == null || e.changed || !clock.instant().isBefore(tried.plus(ttl))) && e.reading.compareAndSet(false, true)) {
            try {
                refresher.execute(() -> read(server, e));
            } catch (RejectedExecutionException x) {
                e.reading.set(false); // closing
            }
        }
        return Optional.ofNullable(e.good);
    }

    /** Whether the last attempt to list the server's backups worked (empty before the first one ended). */
    Optional<Boolean> lastOk(String server) {
        Entry e = entries.get(server);
        return e == null || e.tried == null ? Optional.empty() : Optional.of(e.ok);
    }

    /** The server's backups changed (a backup ended, retention ran): read them again at the next scrape. */
    void changed(String server) {
        entries.computeIfAbsent(server, s -> new Entry()).changed = true;
    }

    private void read(String server, Entry e) {
        try {
            e.changed = false;
            Instant at = clock.instant();
            boolean ok = false;
            try {
                List<BackupSummary> l = source.apply(server);
                e.good = new Listing(l, at);
                ok = true;
                if (!e.ok && e.tried != null) {
                    log.info("metrics: {}: barman list-backups works again", server);
                }
            } catch (RuntimeException x) {
                if (e.ok || e.tried == null) {
                    log.warn("metrics: {}: cannot list the backups (the barman_* backup metrics keep the last listing{}): {}",
                            server, e.good == null ? ", none yet" : " of " + e.good.readAt(), x.getMessage());
                }
            }
            e.ok = ok;
            e.tried = at;
        } finally {
            e.reading.set(false);
        }
    }
}
