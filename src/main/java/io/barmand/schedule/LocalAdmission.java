package io.barmand.schedule;

import io.barmand.job.RunRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link Admission} in this process: a sorted queue, the running runs by id, and counters for the bounds. */
final class LocalAdmission<T extends Admission.Slot> implements Admission<T> {
    private int maxHeavy;
    private int maxLight;
    private java.util.function.Predicate<io.barmand.config.JobKind> held;
    private String heldReason;
    private final List<T> queue = new ArrayList<>();
    private final Map<Long, T> running = new LinkedHashMap<>();
    private int heavy;
    private int light;
    private final Comparator<T> order = Comparator.<T>comparingInt(t -> ConflictRules.priority(t.request().kind()))
            .thenComparingLong(Slot::arrival);

    LocalAdmission(int maxHeavy, int maxLight) {
        this.maxHeavy = maxHeavy;
        this.maxLight = maxLight;
    }

    private static String busy(RunRequest r) {
        return (r.server().isEmpty() ? "host" : "server " + r.server()) + " busy: " + r.kind();
    }

    @Override
    public String duplicate(RunRequest r) {
        for (T q : queue) {
            if (q.request().server().equals(r.server()) && q.request().kind() == r.kind()) {
                return busy(r) + " (run " + q.id() + ") queued since " + q.requested();
            }
        }
        if (r.queuesBehindItsKind()) {
            return null;
        }
        for (T a : running.values()) {
            if (a.request().server().equals(r.server()) && a.request().kind() == r.kind()) {
                return busy(r) + " (run " + a.id() + ") running since " + a.started();
            }
        }
        return null;
    }

    @Override
    public void enqueue(T t) {
        queue.add(t);
        queue.sort(order);
    }

    @Override
    public void limits(int maxHeavy, int maxLight) {
        this.maxHeavy = maxHeavy;
        this.maxLight = maxLight;
    }

    @Override
    public void hold(java.util.function.Predicate<io.barmand.config.JobKind> held, String reason) {
        this.held = held;
        this.heldReason = reason;
    }

    @Override
    public String blockedBy(T t) {
        RunRequest r = t.request();
        if (held != null && held.test(r.kind())) {
            return "held: " + heldReason;
        }
        for (T a : running.values()) {
            if (a.request().server().equals(r.server()) && ConflictRules.conflict(r.kind(), a.request().kind())) {
                return "waiting for " + a.request().kind() + " run " + a.id() + " of " + a.request().server();
            }
        }
        if (ConflictRules.heavy(r.kind())) {
            if (heavy >= maxHeavy) {
                return "waiting for a slot: " + heavy + " of scheduler.max-heavy-runs = " + maxHeavy + " heavy runs busy";
            }
        } else if (light >= maxLight) {
            return "waiting for a slot: " + light + " of scheduler.max-light-runs = " + maxLight + " light runs busy";
        }
        return null;
    }

    @Override
    public List<T> admit() {
        List<T> out = new ArrayList<>();
        for (Iterator<T> it = queue.iterator(); it.hasNext(); ) {
            T t = it.next();
            if (blockedBy(t) != null) {
                continue;
            }
            it.remove();
            running.put(t.id(), t);
            if (ConflictRules.heavy(t.request().kind())) {
                heavy++;
            } else {
                light++;
            }
            out.add(t);
        }
        return out;
    }

    @Override
    public void finished(T t) {
        if (running.remove(t.id()) != null) {
            if (ConflictRules.heavy(t.request().kind())) {
                heavy--;
            } else {
                light--;
            }
        }
    }

    @Override
    public List<T> drain() {
        List<T> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    @Override
    public Collection<T> running() {
        return List.copyOf(running.values());
    }

    @Override
    public int queued() {
        return queue.size();
    }

    @Override
    public int heavyRunning() {
        return heavy;
    }
}
