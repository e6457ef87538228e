package io.barmand.daemon;

import io.barmand.mail.Outbox;
import io.barmand.report.AlertService;
import io.barmand.webhook.Webhooks;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's one thread for mail and metrics: tries the outbox again every 30 s, looks for problems every
 * alerts.interval and after every run, and refreshes the metrics textfile. Nothing here blocks a run. The webhooks
 * post on their own thread (started and closed with this one): one that never answers delays no mail.
 */
final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    static final Duration FLUSH_EVERY = Duration.ofSeconds(30);

    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "barmand-notify");
        t.setDaemon(true);
        return t;
    });
    private final Optional<Outbox> outbox;
    private final Optional<AlertService> alerts;
    private final Runnable afterRun;
    private final Optional<Webhooks> webhooks;
    private final java.util.concurrent.atomic.AtomicBoolean pending = new java.util.concurrent.atomic.AtomicBoolean();

    /** @param afterRun what else follows a run's end (the metrics textfile); may be a no-op */
    Notifier(Optional<Outbox> outbox, Optional<AlertService> alerts, Runnable afterRun) {
        this(outbox, alerts, Optional.empty(), afterRun);
    }

    Notifier(Optional<Outbox> outbox, Optional<AlertService> alerts, Optional<Webhooks> webhooks, Runnable afterRun) {
        this.webhooks = webhooks;
        this.outbox = outbox;
        this.alerts = alerts;
        this.afterRun = afterRun;
    }

    /** @param retryInitial mail.retry.initial: the outbox is looked at this often, at most every 30 s */
    void start(Duration alertsInterval, Duration retryInitial) {
        long every = Math.min(FLUSH_EVERY.toMillis(), retryInitial.toMillis());
        webhooks.ifPresent(w -> w.start(Duration.ofMillis(every)));
        outbox.ifPresent(o -> exec.scheduleWithFixedDelay(() -> safely("outbox", o::flush), every, every, TimeUnit.MILLISECONDS));
        alerts.ifPresent(a -> exec.scheduleWithFixedDelay(() -> safely("alerts", a::evaluate), 0, alertsInterval.toMillis(),
                TimeUnit.MILLISECONDS));
        exec.scheduleWithFixedDelay(() -> safely("metrics", afterRun), 0, 60_000, TimeUnit.MILLISECONDS);
    }

    /**
     * A run has ended: its problems (or their end) are mailed now. Runs that end while an evaluation waits share it
     * (200 checks ending in the same second make one evaluation, not 200).
     */
    void runEnded() {
        if (exec.isShutdown() || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            exec.execute(() -> {
                pending.set(false);
                alerts.ifPresent(a -> safely("alerts", a::evaluate));
                safely("metrics", afterRun);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed between the check and here: a run interrupted at the stop ends after the notifier closed; the
            // next start evaluates the alerts again (their state is kept in alerts.json), so nothing is lost
            pending.set(false);
        }
    }

    private static void safely(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("{}: {}", what, e.toString());
        }
    }

    @Override
    public void close() {
        webhooks.ifPresent(Webhooks::close);
        exec.shutdown();
        try {
            if (!exec.awaitTermination(10, TimeUnit.SECONDS)) {
                exec.shutdownNow();
            }
        } catch (InterruptedException e) {
            exec.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
