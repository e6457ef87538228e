package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.config.JobSchedule;
import io.barmand.config.JobSettings;
import io.barmand.config.SchedulerSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.RunHistory;
import io.barmand.history.Trigger;
import io.barmand.vocabulary.RestoreSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.EverythingMatcher;
import org.quartz.listeners.TriggerListenerSupport;
import org.quartz.spi.JobFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz with a RAMJobStore and its own thread pool ({@code scheduler.threads}): one job per (server, kind) with a
 * cron trigger per schedule of it ({@link ServerSettings#schedules()}: the restore test may have a second one, from
 * S3) in the server's time zone. A fire only hands the run to the {@link JobRunner}'s queue, so Quartz's
 * threads are free again at once; a fire time Quartz could not hand over within {@code scheduler.misfire-threshold}
 * is recorded as skipped. Missed fire times across a restart are handled by {@link CatchUp}.
 */
public class BarmandScheduler {
    private static final Logger log = LoggerFactory.getLogger(BarmandScheduler.class);
    public static final String GROUP_PREFIX = "";

    private Map<String, ServerSettings> servers;
    private Map<JobKind, JobSettings> hostJobs;
    private java.time.ZoneId hostZone;
    private JobRegistry registry;
    private final RunHistory store;
    private final Clock clock;
    private final Scheduler scheduler;
    /** The jobs to catch up at start, each with its trigger's data (catch-up, and a restore test's source). */
    private final Map<JobKey, JobDataMap> catchUps = new java.util.LinkedHashMap<>();
    private int scheduled;
    /** The lines of the last {@link #schedule()}, for {@link #logScheduled()}. */
    private List<Runnable> unlogged = List.of();
    /** The triggers of the last {@link #schedule()}, for {@link #nextFires()}. */
    private List<Scheduled> registered = List.of();
    /** catch-ups are decided at the start only: a reload never fires a missed time (barmand was running) */
    private boolean started;

    public BarmandScheduler(Map<String, ServerSettings> servers, JobRegistry registry, JobRunner runner, RunHistory store,
                            SchedulerSettings limits, Clock clock) {
        this(servers, Map.of(), java.time.ZoneOffset.UTC, registry, runner, store, limits, clock);
    }

    /** With the jobs of the host, scheduled in {@code hostZone}. */
    public BarmandScheduler(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs, java.time.ZoneId hostZone,
                            JobRegistry registry, JobRunner runner, RunHistory store, SchedulerSettings limits, Clock clock) {
        this.servers = servers;
        this.hostJobs = hostJobs;
        this.hostZone = hostZone;
        this.registry = registry;
        this.store = store;
        this.clock = clock;
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "barmand");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(limits.threads()));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "barmand-job");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(limits.misfireThreshold().toMillis()));
        try {
            scheduler = new StdSchedulerFactory(p).getScheduler();
            scheduler.setJobFactory(jobFactory(runner));
            scheduler.getListenerManager().addTriggerListener(new MisfireRecorder(), EverythingMatcher.allTriggers());
        } catch (SchedulerException e) {
            throw new BarmandException(Category.INTERNAL, "cannot create the Quartz scheduler: " + e.getMessage(), e);
        }
    }

    /** Every job is a {@link QuartzJob} handing its run to {@code runner}. */
    static JobFactory jobFactory(JobRunner runner) {
        return (bundle, sch) -> new QuartzJob(runner);
    }

    /** Quartz's group of the jobs of the host: a name no Barman server can have (it has a space). */
    public static final String HOST_GROUP = "host jobs";

    public static JobKey key(String server, JobKind kind) {
        return JobKey.jobKey(kind.id(), kind.host() ? HOST_GROUP : server);
    }

    /**
     * A reload: every job and trigger of the old settings removed, those of the new ones registered by
     * {@link #schedule()} (no catch-up: fire times passed while barmand ran). Runs already handed to the runner are
     * not touched. Returns the jobs scheduled.
     */
    public synchronized int reschedule(Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs,
                                       java.time.ZoneId hostZone, JobRegistry registry) {
        try {
            scheduler.clear();
        } catch (SchedulerException e) {
            throw new BarmandException(Category.INTERNAL, "cannot clear the schedules: " + e.getMessage(), e);
        }
        this.servers = servers;
        this.hostJobs = hostJobs;
        this.hostZone = hostZone;
        this.registry = registry;
        int n = schedule();
        logScheduled();
        return n;
    }

    /**
     * The next fire time of each scheduled trigger after now, soonest first (the unit's STATUS=, sent at ready and at
     * each run's start and end; tests). From the schedules registered, each distinct one worked out once: asking
     * Quartz for its triggers copies each of them, parsing its expression again (800 at 200 servers).
     */
    public synchronized List<Map.Entry<JobKey, Instant>> nextFires() {
        Instant now = clock.instant();
        Map<io.barmand.config.Schedule, Optional<Instant>> next = new java.util.HashMap<>();
        List<Map.Entry<JobKey, Instant>> out = new ArrayList<>();
        for (Scheduled r : registered) {
            next.computeIfAbsent(r.schedule(), x -> x.next(now)).ifPresent(t -> out.add(Map.entry(r.job(), t)));
        }
        out.sort(Map.Entry.comparingByValue());
        return out;
    }

    /** As {@link #nextFires()}, from the triggers Quartz holds (copies of each): what tests compare it with. */
    synchronized List<Map.Entry<JobKey, Instant>> quartzNextFires() throws SchedulerException {
        List<Map.Entry<JobKey, Instant>> out = new ArrayList<>();
        for (TriggerKey tk : scheduler.getTriggerKeys(org.quartz.impl.matchers.GroupMatcher.anyTriggerGroup())) {
            org.quartz.Trigger t = scheduler.getTrigger(tk);
            if (t != null && t.getNextFireTime() != null) {
                out.add(Map.entry(t.getJobKey(), t.getNextFireTime().toInstant()));
            }
        }
        out.sort(Map.Entry.comparingByValue());
        return out;
    }

    /** A trigger handed to Quartz: its job and its schedule. */
    private record Scheduled(JobKey job, io.barmand.config.Schedule schedule) {
    }

    /** Registers every enabled job; at the start, decides the catch-ups. Call before {@link #start()}. */
    public synchronized int schedule() {
        Instant now = clock.instant();
        scheduled = 0;
        Optional<Instant> firstStart = store.firstDaemonStart();
        // every job and trigger handed to Quartz in one call, which wakes its thread once (a call per job and per
        // trigger woke it 1,000 times at 200 servers); the log lines follow, in the order of the loop
        Map<JobDetail, java.util.Set<? extends org.quartz.Trigger>> batch = new java.util.LinkedHashMap<>();
        List<Runnable> lines = new ArrayList<>();
        List<Scheduled> registered = new ArrayList<>();
        // what depends on the schedule alone, worked out once per distinct schedule (200 servers share the 3-4 of
        // `defaults`): its parsed expression, shared by the triggers built here (Quartz stores a copy of each), whether
        // it fires again, its last fire time before now
        Map<io.barmand.config.Schedule, CronExpression> parsed = new java.util.HashMap<>();
        Map<io.barmand.config.Schedule, Boolean> firesAgain = new java.util.HashMap<>();
        Map<io.barmand.config.Schedule, Optional<Instant>> previous = new java.util.HashMap<>();
        try {
            for (ServerSettings s : servers.values()) {
                List<JobSchedule> all = s.schedules(); // once per server, not once per kind
                for (JobKind kind : registry.kinds()) {
                    if (kind.host()) {
                        continue;
                    }
                    JobSettings js = s.job(kind);
                    List<JobSchedule> schedules = js == null ? List.of() : all.stream().filter(x -> x.kind() == kind).toList();
                    if (schedules.isEmpty()) {
                        continue;
                    }
                    JobKey key = key(s.name(), kind);
                    JobDetail jd = JobBuilder.newJob(QuartzJob.class).withIdentity(key)
                            .usingJobData(QuartzJob.KIND, kind.id()).usingJobData(QuartzJob.SERVER, s.name()).storeDurably().build();
                    java.util.Set<org.quartz.Trigger> triggers = new java.util.LinkedHashSet<>();
                    batch.put(jd, triggers);
                    // one trigger per schedule: the job's own, and the restore test's second one from S3, whose
                    // runs carry their source in the trigger's data
                    for (JobSchedule sched : schedules) {
                        JobDataMap data = new JobDataMap();
                        if (sched.second()) {
                            data.put(QuartzJob.SOURCE, sched.source().orElseThrow().id());
                        }
                        if (js.catchUp() && !started) {
                            Optional<Instant> before = previous.computeIfAbsent(sched.schedule(), x -> x.previous(now));
                            List<io.barmand.history.RunRecord> runs = before.isEmpty() ? List.of()
                                    : store.since(s.name(), kind.id(), before.get()).stream()
                                    .filter(r -> sched.source().isEmpty() || sourceOf(r).equals(sched.source().get().id())).toList();
                            CatchUp.missedFire(before, firstStart, runs).ifPresent(fire -> {
                                lines.add(() -> log.warn("{} {}: fire time {} passed while barmand was stopped: catching up now",
                                        s.name(), sched.label(), fire));
                                JobDataMap m = new JobDataMap(data);
                                m.put(QuartzJob.TRIGGER, Trigger.CATCH_UP.word());
                                // one catch-up per job: when both schedules of a restore test were missed,
                                // the second's (from S3, the rarer one) is the one run
                                catchUps.put(key, m);
                            });
                        }
                        if (!firesAgain.computeIfAbsent(sched.schedule(), x -> x.next(now).isPresent())) {
                            lines.add(() -> log.warn("{} {}: schedule \"{}\" never fires again", s.name(), sched.label(),
                                    sched.schedule()));
                            continue;
                        }
                        org.quartz.Trigger t = TriggerBuilder.newTrigger()
                                .withIdentity(TriggerKey.triggerKey(sched.name(), s.name()))
                                .forJob(jd).usingJobData(data)
                                .withSchedule(CronScheduleBuilder.cronSchedule(parsed.computeIfAbsent(sched.schedule(), io.barmand.config.Schedule::cron))
                                        .withMisfireHandlingInstructionDoNothing())
                                .build();
                        triggers.add(t);
                        registered.add(new Scheduled(key, sched.schedule()));
                        scheduled++;
                        // the first fire time: Quartz sets it on the trigger when it takes it
                        lines.add(() -> log.info("{} {}: {} (\"{}\"), next {}", s.name(), sched.label(),
                                sched.schedule().describe(), sched.schedule(), t.getNextFireTime().toInstant()));
                    }
                }
            }
            for (Map.Entry<JobKind, JobSettings> h : hostJobs.entrySet()) {
                JobKind kind = h.getKey();
                JobSettings js = h.getValue();
                // no server configured (the package's first install): inert, the jobs of the host too
                if (servers.isEmpty() || !js.enabled() || registry.service(kind).isEmpty()) {
                    continue;
                }
                JobKey key = key("", kind);
                JobDetail jd = JobBuilder.newJob(QuartzJob.class).withIdentity(key)
                        .usingJobData(QuartzJob.KIND, kind.id()).storeDurably().build();
                org.quartz.Trigger t = TriggerBuilder.newTrigger().withIdentity(TriggerKey.triggerKey(kind.id(), HOST_GROUP))
                        .forJob(jd).withSchedule(CronScheduleBuilder.cronSchedule(js.schedule().get().cron())
                                .withMisfireHandlingInstructionDoNothing())
                        .build();
                java.util.Set<org.quartz.Trigger> triggers = new java.util.LinkedHashSet<>();
                batch.put(jd, triggers);
                if (t.getFireTimeAfter(Date.from(now)) == null) {
                    lines.add(() -> log.warn("{}: schedule \"{}\" never fires again", kind, js.scheduleText()));
                    continue;
                }
                triggers.add(t);
                registered.add(new Scheduled(key, js.schedule().get()));
                scheduled++;
                lines.add(() -> log.info("{} (job of the host): {} (\"{}\"), next {}", kind, js.scheduleWords(),
                        js.scheduleText(), t.getNextFireTime().toInstant()));
            }
            scheduler.scheduleJobs(batch, false);
        } catch (SchedulerException e) {
            throw new BarmandException(Category.INTERNAL, "cannot schedule: " + e.getMessage(), e);
        }
        unlogged = lines;
        this.registered = List.copyOf(registered);
        return scheduled;
    }

    /**
     * Logs what the last {@link #schedule()} registered, a line per schedule with its next fire time (and the
     * catch-ups, the schedules that never fire again). The daemon calls it once it has told systemd it is ready: at
     * 200 servers these 800 lines took half a second of the start. A reload logs them at once.
     */
    public synchronized void logScheduled() {
        List<Runnable> lines = unlogged;
        unlogged = List.of();
        lines.forEach(Runnable::run);
    }

    public synchronized void start() {
        started = true;
        try {
            scheduler.start();
            for (Map.Entry<JobKey, JobDataMap> c : catchUps.entrySet()) {
                scheduler.triggerJob(c.getKey(), c.getValue());
            }
        } catch (SchedulerException e) {
            throw new BarmandException(Category.INTERNAL, "cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    public List<JobKey> catchUps() {
        return List.copyOf(catchUps.keySet());
    }

    /** A restore test's source as its run recorded it ("barman" for runs older than the fact). */
    static String sourceOf(io.barmand.history.RunRecord r) {
        return r.facts().text(io.barmand.history.FactNames.SOURCE).orElse(RestoreSource.BARMAN.id());
    }

    /** Stops firing (running jobs go on until interrupted). */
    public void standby() {
        try {
            scheduler.standby();
        } catch (SchedulerException e) {
            log.warn("scheduler standby: {}", e.getMessage());
        }
    }

    public void shutdown() {
        try {
            scheduler.shutdown(false);
        } catch (SchedulerException e) {
            log.warn("scheduler shutdown: {}", e.getMessage());
        }
    }

    /** Records a fire time that Quartz dropped (the job was still running past the misfire threshold). */
    private final class MisfireRecorder extends TriggerListenerSupport {
        @Override
        public String getName() {
            return "barmand-misfires";
        }

        @Override
        public void triggerMisfired(org.quartz.Trigger trigger) {
            JobKey k = trigger.getJobKey();
            String reason = "fire time " + (trigger.getNextFireTime() == null ? "?" : trigger.getNextFireTime().toInstant())
                    + " missed: Quartz could not hand it over in time (all scheduler.threads busy, or the clock jumped)";
            try {
                store.skipped(k.getGroup(), k.getName(), Trigger.SCHEDULED, clock.instant(), reason);
            } catch (BarmandException e) {
                log.error("cannot record a misfire: {}", e.getMessage());
            }
            log.warn("{} {}: skipped, {}", k.getGroup(), k.getName(), reason);
        }
    }
}
