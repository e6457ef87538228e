package io.barmand.schedule;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.history.RunRecord;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunRequest;
import io.barmand.log.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run executed and recorded, on its pool thread: the service called with its {@link RunContext} (deadline = start
 * + the job's timeout), cut short by a watchdog {@link #overrunGrace} past that deadline when the job does not bound
 * itself, its outcome and figures written to the history. The {@link JobRunner}'s queue decides when it starts; what
 * follows it is {@link AfterRun}'s.
 */
final class Execution {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.run");

    private final RunHistory store;
    private final Clock clock;
    /** cuts short a run still going {@link #overrunGrace} past its deadline (a job that does not bound itself) */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "barmand-deadline");
        t.setDaemon(true);
        return t;
    });
    private volatile Duration overrunGrace = Duration.ofSeconds(30);

    Execution(RunHistory store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** How long past its deadline a run may go on before it is interrupted (tests shorten it). */
    void overrunGrace(Duration grace) {
        this.overrunGrace = grace;
    }

    /** No more watchdog: the daemon is stopping and interrupts every run itself. */
    void shutdown() {
        watchdog.shutdownNow();
    }

    /**
     * Runs {@code t} on the calling thread and records its end; returns its record. Throws only when the end cannot be
     * recorded. {@code started} is told once the run has begun (the unit's STATUS=).
     */
    RunRecord run(Ticket t, long waitedMs, BooleanSupplier stopping, Runnable started) {
        t.thread = Thread.currentThread();
        RunRequest r = t.req;
        long t0 = System.nanoTime();
        Duration limit = t.settings.timeout().plus(overrunGrace);
        ScheduledFuture<?> dog = watchdog.schedule(LogFields.carry(() -> {
            Thread th = t.thread;
            if (th != null) {
                t.overdue = true;
                log.error("run {} {}: still running {} past its timeout of {} ({}.timeout): cutting it short", t.id,
                        JobRunner.who(r), overrunGrace, t.settings.timeout(), r.kind());
                th.interrupt();
            }
        }), limit.toMillis(), TimeUnit.MILLISECONDS);
        Outcome outcome;
        RunFigures figures;
        try {
            if (stopping.getAsBoolean()) {
                throw new BarmandException(Category.INTERRUPTED, "interrupted (daemon stopping) before it began");
            }
            log.info("run {} {} ({}{}): started{}", t.id, JobRunner.who(r), r.trigger().word(),
                    r.attempt() > 1 ? ", attempt " + r.attempt() : "",
                    waitedMs >= 1000 ? String.format(Locale.ROOT, " after waiting %.1fs", waitedMs / 1000.0) : "");
            started.run();
            Instant begun = clock.instant();
            RunContext ctx = new RunContext(r.server(), t.settings, r.options(), t.id, clock, begun.plus(t.settings.timeout()));
            JobService.Result res = t.service.execute(ctx);
            outcome = res.success() ? Outcome.SUCCESS : Outcome.FAILED;
            figures = res.figures().withDefaultDetail();
        } catch (BarmandException e) {
            if (t.overdue) {
                outcome = Outcome.FAILED;
                figures = RunFigures.error("timeout: cut short " + overrunGrace + " past its timeout of " + t.settings.timeout()
                        + " (" + r.kind() + ".timeout): " + e.getMessage());
            } else {
                outcome = e.category() == Category.INTERRUPTED ? Outcome.INTERRUPTED : Outcome.FAILED;
                figures = RunFigures.error(e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("run {} {}: unexpected error", t.id, JobRunner.who(r), e);
            outcome = Outcome.FAILED;
            figures = RunFigures.error("internal error: " + e);
        } finally {
            dog.cancel(false);
            t.thread = null;
            // a run interrupted by shutdown must not leave the flag set for the pool's thread
            Thread.interrupted();
        }
        if (r.options().source().isPresent()) {
            // where a restore test read from is a fact of the run, also of one that ended in an error
            figures = figures.withFacts(figures.facts().withTextIfAbsent(io.barmand.history.FactNames.SOURCE, r.options().source().get().id()));
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        store.finish(t.id, outcome, clock.instant(), ms, figures);
        return store.get(t.id).orElseThrow();
    }
}
