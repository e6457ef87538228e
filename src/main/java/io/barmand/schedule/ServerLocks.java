package io.barmand.schedule;

import io.barmand.config.JobKind;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per server: jobs of one server never overlap, whatever their kind (Quartz's
 * {@code @DisallowConcurrentExecution} only keeps one job key from overlapping itself). Never waits.
 */
public final class ServerLocks {
    /** Who holds a server. */
    public record Holder(JobKind job, long runId, Instant since) {
    }

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile Holder holder;
    }

    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

    /** Takes the server's lock, or returns who holds it. A thread that holds it already is refused too. */
    public Optional<Holder> tryAcquire(String server, JobKind job, long runId, Instant now) {
        Slot s = slots.computeIfAbsent(server, k -> new Slot());
        if (s.lock.isHeldByCurrentThread() || !s.lock.tryLock()) {
            Holder h = s.holder;
            return Optional.of(h != null ? h : new Holder(job, -1, now));
        }
        s.holder = new Holder(job, runId, now);
        return Optional.empty();
    }

    /** Notes the run id of the current holder (known only once the run is recorded). */
    public void annotate(String server, long runId) {
        Slot s = slots.get(server);
        if (s != null && s.lock.isHeldByCurrentThread() && s.holder != null) {
            s.holder = new Holder(s.holder.job(), runId, s.holder.since());
        }
    }

    public void release(String server) {
        Slot s = slots.get(server);
        if (s != null && s.lock.isHeldByCurrentThread()) {
            s.holder = null;
            s.lock.unlock();
        }
    }

    public Optional<Holder> holder(String server) {
        Slot s = slots.get(server);
        return s == null ? Optional.empty() : Optional.ofNullable(s.holder);
    }
}
