package io.barmand.testing;

import io.barmand.schedule.Delays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Delays that run only when the test says so: retries are tested without waiting for them. */
public final class ManualDelays implements Delays {
    public record Pending(Duration delay, Runnable task) {
    }

    private final List<Pending> pending = new ArrayList<>();

    @Override
    public synchronized void after(Duration delay, Runnable task) {
        pending.add(new Pending(delay, task));
    }

    public synchronized List<Duration> pending() {
        return pending.stream().map(Pending::delay).toList();
    }

    /** Runs what is pending now (on the caller's thread); returns how many ran. */
    public int fireAll() {
        List<Pending> now;
        synchronized (this) {
            now = new ArrayList<>(pending);
            pending.clear();
        }
        now.forEach(p -> p.task().run());
        return now.size();
    }
}
