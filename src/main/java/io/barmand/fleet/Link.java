package io.barmand.fleet;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the state database answers, as this node sees it: an episode starts at the first failure (one warning),
 * goes on quietly, and ends at the next success (one "again" line). Shared by the forwarder and the heartbeat.
 */
final class Link {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.fleet");
    private final String where;
    private final Clock clock;
    private Instant downSince;
    private int failures;

    Link(String where, Clock clock) {
        this.where = where;
        this.clock = clock;
    }

    /** A call failed; true when this starts an episode (the warning was logged). */
    synchronized boolean failed(String what, Exception e) {
        failures++;
        if (downSince != null) {
            log.debug("state database {}: {} failed again: {}", where, what, e.toString());
            return false;
        }
        downSince = clock.instant();
        log.warn("state database {}: {} failed ({}): runs keep being recorded here and are copied when it answers",
                where, what, message(e));
        return true;
    }

    /**
     * A call went through: ends an episode. {@code copied}: the run changes the call copied (the forwarder), or -1
     * (the heartbeat).
     */
    synchronized void ok(long copied) {
        if (downSince == null) {
            return;
        }
        log.info("state database {}: answers again after {} s ({} failed attempt(s)): forwarding again{}", where,
                Duration.between(downSince, clock.instant()).toSeconds(), failures,
                copied >= 0 ? ", " + copied + " run change(s) copied" : "");
        downSince = null;
        failures = 0;
    }

    synchronized Optional<Instant> downSince() {
        return Optional.ofNullable(downSince);
    }

    /** The first line of the deepest cause: what PostgreSQL or the network said. */
    static String message(Throwable e) {
        Throwable t = e;
        for (int depth = 0; depth < 16 && t.getCause() != null && t.getCause() != t; depth++) {
            t = t.getCause(); // bounded: a chain of causes can loop
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
