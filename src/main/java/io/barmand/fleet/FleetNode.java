package io.barmand.fleet;

import io.barmand.config.FleetSettings;
import io.barmand.history.RunStore;
import io.barmand.vocabulary.Capability;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host as a node of the fleet, while the daemon runs: the state database's pool, the forwarder of its runs and
 * its heartbeat, on one thread of their own ({@code barmand-fleet}) so that nothing else ever waits for PostgreSQL.
 * While the state database does not answer, the forwarder retries, doubling its wait up to {@link Tuning#retryMax}.
 */
public final class FleetNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.fleet");

    /** How often new changes are looked for, the longest wait between retries, how long a connection is waited for. */
    public record Tuning(Duration poll, Duration retryMax, Duration connectTimeout) {
        public static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private final FleetSettings settings;
    private final StateDatabase db;
    private final Forwarder forwarder;
    private final Heartbeat heartbeat;
    private final Link link;
    private final Tuning tuning;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private long retryMs;
    /** When the forwarder tries next (System.nanoTime), 0 = at the next tick: only this node's thread touches it. */
    private long nextTry;
    /** The last unexpected failure of a forwarding pass, said once until a pass works again. */
    private String unexpected;

    private FleetNode(FleetSettings settings, StateDatabase db, Forwarder forwarder, Heartbeat heartbeat, Link link,
                      Tuning tuning, Clock clock) {
        this.settings = settings;
        this.db = db;
        this.forwarder = forwarder;
        this.heartbeat = heartbeat;
        this.link = link;
        this.tuning = tuning;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "barmand-fleet");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The node of {@code settings} (which has a state database), built but not started: {@code servers} and
     * {@code running} are asked at each heartbeat (a reload may change the servers).
     */
    public static FleetNode of(FleetSettings settings, RunStore store, String version,
                               Supplier<? extends Collection<String>> servers, Supplier<List<Running>> running,
                               Supplier<Set<Capability>> capabilities, Tuning tuning, Clock clock) {
        FleetSettings.State state = settings.state().orElseThrow();
        StateDatabase db = StateDatabase.open(state, settings.nodeName(), tuning.connectTimeout());
        Link link = new Link(state.url(), clock);
        Forwarder f = new Forwarder(settings.nodeName(), store, new StateRuns(db), new Watermark(store.file().getParent()), link);
        Heartbeat h = new Heartbeat(db, settings.nodeName(), version, servers, running, capabilities, f::backlog);
        return new FleetNode(settings, db, f, h, link, tuning, clock);
    }

    public void start() {
        log.info("node {} on state database {}, heartbeat every {} s", settings.nodeName(), db.where(),
                settings.heartbeat().toSeconds());
        // one tick every poll, never ended by a failure (a task that throws stops its schedule): the wait between
        // failed passes is kept in nextTry, and a heartbeat that goes through again cuts it short
        thread.scheduleWithFixedDelay(this::forward, 0, tuning.poll().toMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleAtFixedRate(this::beat, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void forward() {
        if (nextTry != 0 && System.nanoTime() - nextTry < 0) {
            return;
        }
        try {
            if (forwarder.forwardOnce() < 0) {
                retryMs = retryMs == 0 ? tuning.poll().toMillis() : Math.min(retryMs * 2, tuning.retryMax().toMillis());
                nextTry = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMs);
            } else {
                retryMs = 0;
                nextTry = 0;
                unexpected = null;
            }
        } catch (Throwable e) {
            // the local history unreadable (said by the history's own checks), or a fault of ours: tried again, said once
            if (!e.toString().equals(unexpected)) {
                unexpected = e.toString();
                log.warn("forwarding to the state database failed: {} (tried again)", e.toString(), e);
            }
            retryMs = retryMs == 0 ? tuning.poll().toMillis() : Math.min(retryMs * 2, tuning.retryMax().toMillis());
            nextTry = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMs);
            if (e instanceof VirtualMachineError v) {
                throw v;
            }
        }
    }

    private void beat() {
        try {
            heartbeat.beat();
            if (link.downSince().isPresent()) {
                nextTry = 0; // it answers again: the forwarder need not wait out its backoff
            }
            link.ok(-1);
        } catch (Exception e) {
            link.failed("the heartbeat of node " + settings.nodeName(), e);
        }
    }

    /** The pool of the state database (the clustered scheduler's job store shares it). */
    public DataSource dataSource() {
        return db.dataSource();
    }

    public StateDatabase database() {
        return db;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /** Stops the thread, tries one last copy of what is left (bounded by the connection timeout), closes the pool. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(tuning.connectTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS)) {
                log.warn("the forwarder did not stop in time");
            }
            if (forwarder.forwardOnce() >= 0 && link.downSince().isEmpty()) {
                beat();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            long left = forwarder.backlog();
            if (left > 0) {
                log.info("{} run change(s) not copied to the state database yet: copied at the next start", left);
            }
            db.close();
        }
    }
}
