package io.barmand.fleet;

import io.barmand.history.RunChange;
import io.barmand.history.RunStore;
import java.time.Duration;
import java.util.List;

/**
 * Copies the changes of this node's runs (queued, started, ended) from the local history to the state database, in
 * the order of their change numbers, once: each batch is stored all or none and the mark ({@link Watermark}) moves
 * past it only then; the state database keeps a change sent twice once. Jobs never wait for it: they record into
 * the local history as always, and this runs on its own thread ({@link FleetNode}).
 */
public final class Forwarder {
    /** How many changes go in one transaction. */
    public static final int BATCH = 200;
    private final String node;
    private final RunStore store;
    private final RunSink sink;
    private final Watermark watermark;
    private final Link link;
    private volatile long mark;

    Forwarder(String node, RunStore store, RunSink sink, Watermark watermark, Link link) {
        this.node = node;
        this.store = store;
        this.sink = sink;
        this.watermark = watermark;
        this.link = link;
        long kept = watermark.read();
        // a history newer than the mark's (a new file): everything is sent again, which the state database absorbs
        this.mark = kept > store.lastChange() ? 0 : kept;
    }

    /**
     * Copies every change after the mark, batch by batch; returns how many went (0 when none was new), or -1 when
     * the state database refused (the episode's warning logged once; the changes stay for the next pass).
     */
    public synchronized long forwardOnce() {
        long copied = 0;
        while (true) {
            List<RunChange> batch = store.changesAfter(mark, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            try {
                sink.put(node, batch);
            } catch (Exception e) {
                link.failed("copying " + batch.size() + " run change(s)", e);
                return -1;
            }
            long last = batch.get(batch.size() - 1).seq();
            watermark.write(last);
            mark = last;
            copied += batch.size();
            if (batch.size() < BATCH) {
                break;
            }
        }
        if (copied > 0) {
            link.ok(copied); // only a copy that went through says the state database answers
        }
        return copied;
    }

    /** The last change number copied. */
    public long mark() {
        return mark;
    }

    /** How many run changes the state database does not hold yet (at most: a run changed twice counts twice). */
    public long backlog() {
        return Math.max(0, store.lastChange() - mark);
    }

    /** How long the state database has not answered, if it does not. */
    public java.util.Optional<Duration> down(java.time.Clock clock) {
        return link.downSince().map(t -> Duration.between(t, clock.instant()));
    }
}
