package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What every step of a restore test shares: the time left, the checks of a command's end, the log's telling lines. */
final class Steps {
    private Steps() {
    }

    static String logTail(Instance sc) {
        {
            String log = sc.log();
            // what went wrong is in the FATAL/PANIC/ERROR lines (with their CONTEXT), not in the shutdown that follows
            List<String> bad = new ArrayList<>();
            for (String l : log.split("\n")) {
                if (l.matches(".*\\b(FATAL|PANIC|ERROR|CONTEXT):.*") && !bad.contains(l.replaceFirst("^.*?\\] ", ""))) {
                    bad.add(l.replaceFirst("^.*?\\] ", ""));
                }
            }
            return log.isBlank() ? "no scratch.log" : bad.isEmpty() ? lastLines(log, 3) : lastLines(String.join("\n", bad), 3);
        }
    }

    static void check(CommandResult r, String what, Duration total) {
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, what + " interrupted (daemon stopping)");
        }
        if (r.timedOut()) {
            throw new BarmandException(Category.TIMEOUT, what + ": restore test ran past its timeout of " + total);
        }
    }

    static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "restore test interrupted (daemon stopping)");
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "restore test interrupted (daemon stopping)");
        }
    }

    static String lastLines(String s, int n) {
        String[] l = s.strip().split("\n");
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, l.length - n); i < l.length; i++) {
            if (!l[i].isBlank()) {
                out.add(l[i].strip());
            }
        }
        return String.join(" / ", out);
    }

    /** The time the run has left before its deadline (the run context's); TIMEOUT once it has none. */
    static Duration left(Duration total, RunContext ctx) {
        Duration d = ctx.left();
        if (d.isZero()) {
            throw new BarmandException(Category.TIMEOUT, "restore test ran past its timeout of " + total);
        }
        return d;
    }

    /** Seconds since the run began (its deadline less its timeout {@code total}), on the run's clock. */
    static double elapsed(Duration total, RunContext ctx) {
        return Duration.between(ctx.deadline().minus(total), ctx.clock().instant()).toNanos() / 1e9;
    }

    static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
