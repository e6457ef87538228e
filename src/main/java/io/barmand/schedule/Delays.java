package io.barmand.schedule;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs something later (a retry): a scheduled executor in the daemon, a hand-fired queue in tests. */
public interface Delays {
    void after(Duration delay, Runnable task);

    /** Stops running what is pending (daemon stopping). */
    default void shutdown() {
    }

    /** A single daemon thread. */
    static Delays threaded() {
        ScheduledExecutorService ses = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "barmand-retry");
            t.setDaemon(true);
            return t;
        });
        return new Delays() {
            @Override
            public void after(Duration delay, Runnable task) {
                ses.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void shutdown() {
                ses.shutdownNow();
            }
        };
    }
}
