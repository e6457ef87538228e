package io.barmand.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The daemon's signals: SIGHUP reloads; the first SIGTERM (or SIGINT) exits with 143 (130) through the shutdown hook,
 * as the JVM's own handler does, which runs {@link Daemon#stop()}; a second one while it waits for long runs cuts the
 * wait short.
 * (The JVM's own handler cannot: once exiting, it ignores further signals.)
 */
public final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    public static void install(Daemon d) {
        try {
            sun.misc.SignalHandler before = Signal.handle(new Signal("HUP"), sig -> {
                Thread t = new Thread(() -> d.reload("SIGHUP"), "barmand-reload");
                t.setDaemon(true);
                t.start();
            });
            // the JVM keeps a signal ignored when barmand's parent ignored it (nohup, some CI runners): no handler then
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                log.warn("SIGHUP is ignored by the process that started barmand (nohup?), so a SIGHUP will not reload: "
                        + "reload with `barmand reload` or `systemctl reload barmand`");
            }
            // SIGINT (Ctrl-C on `barmand run` in a terminal) as SIGTERM: a second one cuts the wait short
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), sig -> {
                    if (d.stopRequested()) {
                        d.cutShort();
                        return;
                    }
                    Thread t = new Thread(() -> System.exit(128 + sig.getNumber()), "barmand-sig" + name.toLowerCase());
                    t.start();
                });
            }
        } catch (IllegalArgumentException e) {
            // -Xrs, or a JVM that keeps the signal: SIGTERM stays the JVM's (a stop through the shutdown hook)
            log.warn("cannot handle SIGHUP/SIGTERM ({}): reload with `barmand reload`", e.getMessage());
        }
    }
}
