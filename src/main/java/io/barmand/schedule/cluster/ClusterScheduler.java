package io.barmand.schedule.cluster;

import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.vocabulary.Capability;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's clustered Quartz schedulers on one node, beside the node's own RAM scheduler (which keeps the
 * host-bound jobs). One clustered scheduler per capability ({@link #schedulerName}), all in the same tables of the
 * state database: a node starts the schedulers of the capabilities it declares and no other, so a job needing a
 * capability is only ever acquired by a node that has it. Quartz has no node pinning (quartz#344, wontfix); separate
 * scheduler names sharing the tables are its maintainers' answer (quartz#236), and they keep every Quartz guarantee:
 * one fire per fire time within a scheduler name, and recovery of a dead node's fires by another node of the same name,
 * hence another capable node.
 *
 * <p>Every scheduler: JobStoreTX on the state database's pool, PostgreSQLDelegate (the tables are BYTEA),
 * {@code isClustered}, {@code acquireTriggersWithinLock} (the acquisition otherwise runs outside the row lock and two
 * nodes can fire one trigger: quartz#107/#731), the job data as properties (strings, no Java serialisation of classes
 * in the rows), the node's name as instance id, jobs requesting recovery, and an explicit misfire instruction on every
 * trigger ({@link FloatingKind.Missed}).
 */
public final class ClusterScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterScheduler.class);
    /** Quartz's table prefix: the V2 migration's tables. */
    static final String PREFIX = "QRTZ_";
    private static final String NAME_PREFIX = "barmand-fleet-";
    /** Guards Quartz's process-wide registries (SchedulerRepository, DBConnectionManager) while one is built. */
    private static final Object FACTORY = new Object();

    private final DataSource db;
    private final ClusterSettings settings;
    private final Map<Capability, Scheduler> schedulers = new EnumMap<>(Capability.class);

    /**
     * Builds (does not start) the scheduler of each capability the node declares that some floating job needs, after
     * inserting their lock rows. Throws CONFIG when the node declares a capability without a work for each job of it,
     * UNAVAILABLE when the state database does not answer.
     */
    public ClusterScheduler(DataSource db, ClusterSettings settings, Map<FloatingKind, FloatingWork> works) {
        this.db = db;
        this.settings = settings;
        Map<FloatingKind, FloatingWork> mine = new EnumMap<>(FloatingKind.class);
        for (FloatingKind k : FloatingKind.values()) {
            if (!settings.capabilities().contains(k.needs())) {
                continue;
            }
            FloatingWork w = works.get(k);
            if (w == null) {
                throw new BarmandException(Category.CONFIG, "node " + settings.node() + " declares " + k.needs()
                        + " but this barmand cannot run the " + k + " job there");
            }
            mine.put(k, w);
        }
        List<Capability> caps = Arrays.stream(Capability.values())
                .filter(c -> mine.keySet().stream().anyMatch(k -> k.needs() == c)).toList();
        seedLocks(caps);
        String ds = "barmand-state@" + settings.node();
        synchronized (FACTORY) {
            DBConnectionManager.getInstance().addConnectionProvider(ds, new StateConnections(db));
            for (Capability c : caps) {
                schedulers.put(c, create(c, ds, Map.copyOf(mine)));
            }
        }
    }

    /** The job store's name of the scheduler of {@code c} (its SCHED_NAME): the same on every node. */
    public static String schedulerName(Capability c) {
        return NAME_PREFIX + c.id();
    }

    /** The capabilities this node runs floating jobs for (those declared that some floating job needs). */
    public Set<Capability> capabilities() {
        return Set.copyOf(schedulers.keySet());
    }

    private Scheduler create(Capability c, String ds, Map<FloatingKind, FloatingWork> works) {
        String name = schedulerName(c);
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", name);
        p.setProperty("org.quartz.scheduler.instanceId", settings.node());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.scheduler.threadName", "fleet-" + c.id() + "-scheduler");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(settings.threads(c)));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "fleet-" + c.id());
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", ds);
        p.setProperty("org.quartz.jobStore.tablePrefix", PREFIX);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.checkin().toMillis()));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(settings.misfireThreshold().toMillis()));
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.makeThreadsDaemons", "true");
        try {
            Scheduler s = new StdSchedulerFactory(p).getScheduler();
            // Quartz keeps one scheduler per name in a process-wide repository and hands back the one it holds to the
            // next factory asking for the name: removed, so that each node (several in one JVM in the tests, a node
            // rebuilt by a reload) has its own
            SchedulerRepository.getInstance().remove(name);
            s.setJobFactory((bundle, sch) -> new FloatingJob(settings.node(), works));
            return s;
        } catch (SchedulerException e) {
            throw new BarmandException(Category.INTERNAL, "cannot create the fleet's scheduler " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Inserts the two row locks of each scheduler when missing, without the failing INSERT that aborts a PostgreSQL
     * transaction when two nodes start together (quartz#647; the V2 migration inserts those it knows).
     */
    private void seedLocks(List<Capability> caps) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + PREFIX + "LOCKS (SCHED_NAME, LOCK_NAME) VALUES (?, ?)"
                     + " ON CONFLICT DO NOTHING")) {
            c.setAutoCommit(true);
            for (Capability cap : caps) {
                for (String lock : List.of("TRIGGER_ACCESS", "STATE_ACCESS")) {
                    ps.setString(1, schedulerName(cap));
                    ps.setString(2, lock);
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new BarmandException(Category.UNAVAILABLE, "state database: cannot prepare the fleet's schedulers: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Declares this node's floating jobs: a job missing from the job store is added, one whose schedule differs is
     * replaced (the last node to start with a changed schedule sets it), one that is the same is left alone (its
     * pending fire time untouched). Throws USAGE for a job whose capability this node does not run.
     * Returns the jobs added or replaced.
     */
    public int declare(List<FloatingJobSpec> specs) {
        int changed = 0;
        for (FloatingJobSpec spec : specs) {
            Scheduler s = schedulers.get(spec.kind().needs());
            if (s == null) {
                throw new BarmandException(Category.USAGE, "node " + settings.node() + " cannot declare " + spec
                        + ": it does not run " + spec.kind().needs());
            }
            Trigger wanted = trigger(spec);
            try {
                Trigger stored = s.getTrigger(spec.triggerKey());
                if (stored != null && s.checkExists(spec.jobKey()) && sameSchedule(stored, wanted)) {
                    continue;
                }
                s.scheduleJob(job(spec), Set.of(wanted), true);
                changed++;
                log.info("fleet: {} {} by node {}", spec, stored == null ? "added" : "rescheduled", settings.node());
            } catch (SchedulerException e) {
                throw new BarmandException(Category.UNAVAILABLE, "state database: cannot declare " + spec + ": "
                        + e.getMessage(), e);
            }
        }
        return changed;
    }

    static JobDetail job(FloatingJobSpec spec) {
        return JobBuilder.newJob(FloatingJob.class).withIdentity(spec.jobKey())
                .usingJobData(FloatingJob.KIND, spec.kind().id()).usingJobData(FloatingJob.SERVER, spec.server())
                .storeDurably().requestRecovery(true).build();
    }

    static Trigger trigger(FloatingJobSpec spec) {
        boolean once = spec.kind().missed() == FloatingKind.Missed.RUN_ONCE;
        TriggerBuilder<Trigger> b = TriggerBuilder.newTrigger().withIdentity(spec.triggerKey()).forJob(spec.jobKey());
        if (spec.schedule() instanceof FloatingSchedule.Cron c) {
            CronScheduleBuilder cron = CronScheduleBuilder.cronSchedule(c.quartz()).inTimeZone(TimeZone.getTimeZone(c.zone()));
            return b.withSchedule(once ? cron.withMisfireHandlingInstructionFireAndProceed()
                    : cron.withMisfireHandlingInstructionDoNothing()).build();
        }
        FloatingSchedule.Every e = (FloatingSchedule.Every) spec.schedule();
        SimpleScheduleBuilder every = SimpleScheduleBuilder.simpleSchedule()
                .withIntervalInMilliseconds(e.interval().toMillis()).repeatForever();
        return b.startNow().withSchedule(once ? every.withMisfireHandlingInstructionNowWithExistingCount()
                : every.withMisfireHandlingInstructionNextWithRemainingCount()).build();
    }

    static boolean sameSchedule(Trigger a, Trigger b) {
        if (a.getMisfireInstruction() != b.getMisfireInstruction()) {
            return false;
        }
        if (a instanceof CronTrigger x && b instanceof CronTrigger y) {
            return x.getCronExpression().equals(y.getCronExpression()) && x.getTimeZone().getID().equals(y.getTimeZone().getID());
        }
        if (a instanceof SimpleTrigger x && b instanceof SimpleTrigger y) {
            return x.getRepeatInterval() == y.getRepeatInterval();
        }
        return false;
    }

    /**
     * Starts every scheduler of the node. Refuses (CONFIG) when another live node checks in under this node's name
     * (two nodes of one name would each take the other's fires for its own); waits one check-in for the record of a
     * predecessor of this node that died, whose unfinished fires this node then recovers at its first check-in.
     */
    public void start() {
        checkNameFree();
        warnClockSkew();
        for (Map.Entry<Capability, Scheduler> e : schedulers.entrySet()) {
            try {
                e.getValue().start();
            } catch (SchedulerException ex) {
                throw new BarmandException(Category.UNAVAILABLE, "cannot start the fleet's scheduler "
                        + schedulerName(e.getKey()) + ": " + ex.getMessage(), ex);
            }
        }
        List<String> what = new ArrayList<>();
        schedulers.keySet().forEach(c -> what.add(c.id() + " (" + settings.threads(c) + (settings.threads(c) == 1 ? " thread)" : " threads)")));
        log.info("fleet: node {} takes floating jobs of {}; check-in every {} ms", settings.node(),
                what.isEmpty() ? "nothing" : String.join(", ", what), settings.checkin().toMillis());
    }

    /** The newest check-in of this node's name in any of the fleet's schedulers (epoch ms; 0 when none). */
    private long lastCheckin() throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(LAST_CHECKIN_TIME), 0) FROM " + PREFIX
                     + "SCHEDULER_STATE WHERE INSTANCE_NAME = ? AND SCHED_NAME LIKE '" + NAME_PREFIX + "%'")) {
            ps.setString(1, settings.node());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void checkNameFree() {
        try {
            long last = lastCheckin();
            long interval = settings.checkin().toMillis();
            if (last == 0 || System.currentTimeMillis() - last > interval + 1000) {
                return; // none, or older than a check-in: no live holder of this name
            }
            log.info("fleet: node name {} checked in {} ms ago: waiting one check-in to tell a dead predecessor from a "
                    + "live namesake", settings.node(), System.currentTimeMillis() - last);
            Thread.sleep(interval + 1000);
            if (lastCheckin() != last) {
                throw new BarmandException(Category.CONFIG, "node.name \"" + settings.node() + "\" is in use by another "
                        + "live node of the fleet (it checked in to the state database while this one waited): give each "
                        + "node its own name");
            }
        } catch (SQLException e) {
            throw new BarmandException(Category.UNAVAILABLE, "state database: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BarmandException(Category.INTERRUPTED, "interrupted while starting the fleet's scheduler");
        }
    }

    /** Quartz compares check-ins and fire times of nodes by their own clocks: they must agree within a second. */
    private void warnClockSkew() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint")) {
            long before = System.currentTimeMillis();
            long theirs;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                theirs = rs.getLong(1);
            }
            long after = System.currentTimeMillis();
            long skew = theirs - (before + after) / 2; // the round trip halved
            if (Math.abs(skew) > 1000) {
                log.warn("fleet: this host's clock is {} ms {} the state database's: Quartz needs every node within a "
                        + "second (run NTP); nodes may be declared dead or fire late", Math.abs(skew),
                        skew > 0 ? "behind" : "ahead of");
            }
        } catch (SQLException e) {
            log.warn("fleet: cannot compare this host's clock with the state database's: {}", e.getMessage());
        }
    }

    /** Stops taking fires (running ones go on). */
    public void standby() {
        for (Scheduler s : schedulers.values()) {
            try {
                s.standby();
            } catch (SchedulerException e) {
                log.warn("fleet scheduler standby: {}", e.getMessage());
            }
        }
    }

    /**
     * Stops the schedulers. {@code waitForRuns}: until the running floating jobs end. Without it, a job still running
     * when the process exits leaves its fire's row, and another node recovers it once this node's check-ins stop.
     */
    public void shutdown(boolean waitForRuns) {
        for (Scheduler s : schedulers.values()) {
            try {
                s.shutdown(waitForRuns);
            } catch (SchedulerException e) {
                log.warn("fleet scheduler shutdown: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        shutdown(false);
    }

    /** How long after its last check-in a silent node is declared dead: Quartz's rule (check-in + 7.5 s). */
    public Duration deadAfter() {
        return settings.checkin().plusMillis(7500);
    }
}
