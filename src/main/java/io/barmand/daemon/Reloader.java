package io.barmand.daemon;

import io.barmand.config.Settings;
import io.barmand.control.Lifecycle;
import io.barmand.error.BarmandException;
import io.barmand.history.RunStore;
import io.barmand.schedule.BarmandScheduler;
import io.barmand.schedule.JobRunner;
import io.barmand.wiring.Services;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reload of the configuration (SIGHUP, {@code barmand reload}, ExecReload): the file read again; a file with
 * problems refused, every problem logged, the settings in force kept; a good one gives new services to the runner
 * and new schedules to Quartz, and is installed in the daemon ({@link Target#install}). What cannot change while
 * running ({@link #needRestart}) is named for a restart. The daemon guards when a reload may happen.
 */
final class Reloader {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    /** The daemon's side: the settings and services in force, and how new ones are put in force. */
    interface Target {
        Settings settings();

        Services services();

        /** Puts {@code next} and its services in force (the notifier, the follow-ups, last-good.conf). */
        void install(Settings next, Services w);
    }

    private final Settings initial;
    private final Supplier<Settings> loader;
    private final RunStore store;
    private final Clock clock;
    private final JobRunner runner;
    private final BarmandScheduler scheduler;
    private final Target target;

    Reloader(Settings initial, Supplier<Settings> loader, RunStore store, Clock clock, JobRunner runner,
             BarmandScheduler scheduler, Target target) {
        this.initial = initial;
        this.loader = loader;
        this.store = store;
        this.clock = clock;
        this.runner = runner;
        this.scheduler = scheduler;
        this.target = target;
    }

    Lifecycle.Reload reload(String by) {
        Settings old = target.settings();
        log.info("reloading the configuration (asked by {}): {}", by, old.file());
        Settings next;
        try {
            next = loader.get();
        } catch (BarmandException e) {
            List<String> problems = List.of(e.getMessage().split("\n"));
            log.error("reload refused: {} problem(s); barmand goes on with the settings in force", problems.size());
            for (String p : problems) {
                log.error("reload refused: {}", p);
            }
            return new Lifecycle.Reload(false, 0, problems, List.of());
        }
        List<String> restart = needRestart(initial, next);
        Services w = Services.build(next, store, clock, Daemon.VERSION);
        int dropped = runner.reconfigure(next.servers(), next.hostJobs(), w.registry, next.scheduler());
        int jobs;
        try {
            jobs = scheduler.reschedule(next.servers(), next.hostJobs(), next.hostTimezone(), w.registry);
        } catch (BarmandException e) {
            // not expected from validated settings; put the old schedules back rather than run none
            log.error("reload refused: cannot schedule the new settings: {}; the old ones are put back", e.getMessage());
            runner.reconfigure(old.servers(), old.hostJobs(), target.services().registry, old.scheduler());
            scheduler.reschedule(old.servers(), old.hostJobs(), old.hostTimezone(), target.services().registry);
            return new Lifecycle.Reload(false, 0, List.of(e.getMessage()), List.of());
        }
        target.install(next, w);
        for (String r : restart) {
            log.warn("reload: {}: takes effect at the next restart (systemctl restart barmand)", r);
        }
        log.info("effective configuration (secrets masked): {}", next.dumpOneLine());
        log.info("reloaded: {} jobs scheduled, {} servers, {} run(s) in progress go on with the settings they started "
                + "with{}", jobs, next.servers().size(), runner.runningCount(),
                dropped > 0 ? ", " + dropped + " queued run(s) no longer configured recorded skipped" : "");
        return new Lifecycle.Reload(true, jobs, List.of(), restart);
    }

    /** The settings that differ between {@code a} and {@code b} and are read only at the start. */
    static List<String> needRestart(Settings a, Settings b) {
        List<String> out = new ArrayList<>();
        diff(out, "state-dir", a.stateDir(), b.stateDir());
        diff(out, "control-socket", a.controlSocket(), b.controlSocket());
        diff(out, "scheduler.threads", a.scheduler().threads(), b.scheduler().threads());
        diff(out, "scheduler.misfire-threshold", a.scheduler().misfireThreshold(), b.scheduler().misfireThreshold());
        diff(out, "log.output", a.logOutput(), b.logOutput());
        diff(out, "metrics.listen", a.metrics().listen().map(Object::toString).orElse(""),
                b.metrics().listen().map(Object::toString).orElse(""));
        diff(out, "metrics.textfile", a.metrics().textfile().map(Object::toString).orElse(""),
                b.metrics().textfile().map(Object::toString).orElse(""));
        return out;
    }

    private static void diff(List<String> out, String key, Object a, Object b) {
        if (!a.equals(b)) {
            out.add(Settings.ROOT + "." + key + " changed from " + a + " to " + b + ", still " + a);
        }
    }
}
