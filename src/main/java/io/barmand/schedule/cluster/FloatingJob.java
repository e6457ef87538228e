package io.barmand.schedule.cluster;

import java.time.Instant;
import java.util.Map;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Quartz job class of the fleet's clustered schedulers: reads the kind and the server from the job's data and
 * runs this node's {@link FloatingWork} for the kind, returning only when it has ended (its fire's row is what another
 * node recovers if this one dies). {@code @DisallowConcurrentExecution} holds across the cluster with a JDBC job store
 * (the job's other triggers wait BLOCKED): one server's restore test from S3 never runs on two nodes at once.
 */
@DisallowConcurrentExecution
public final class FloatingJob implements Job {
    private static final Logger log = LoggerFactory.getLogger("io.barmand.fleet.jobs");
    public static final String KIND = "kind";
    public static final String SERVER = "server";

    private final String node;
    private final Map<FloatingKind, FloatingWork> works;

    FloatingJob(String node, Map<FloatingKind, FloatingWork> works) {
        this.node = node;
        this.works = works;
    }

    @Override
    public void execute(JobExecutionContext ctx) throws JobExecutionException {
        FloatingRun run = runOf(ctx, node);
        FloatingWork work = works.get(run.kind());
        if (work == null) {
            // cannot happen: a node starts only the schedulers of the capabilities it has a work for
            throw new JobExecutionException("node " + node + " has no work for " + run.kind());
        }
        log.info("{}: started{}", run, run.recovered() ? ", its node having died mid-run" : "");
        try {
            work.run(run);
            log.info("{}: ended", run);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("{}: interrupted", run);
            throw new JobExecutionException(e, false);
        } catch (Exception e) {
            log.error("{}: {}", run, e.getMessage());
            throw new JobExecutionException(e, false);
        }
    }

    /** The fire as this node sees it; a recovered fire carries the fire time of the run that died. */
    static FloatingRun runOf(JobExecutionContext ctx, String node) {
        JobDataMap m = ctx.getMergedJobDataMap();
        FloatingKind kind = FloatingKind.of(m.getString(KIND)).orElseThrow(() -> new IllegalStateException(
                "job " + ctx.getJobDetail().getKey() + ": unknown floating kind " + m.getString(KIND)
                        + " (stored by a newer barmand?)"));
        String server = m.containsKey(SERVER) ? m.getString(SERVER) : "";
        boolean recovering = ctx.isRecovering();
        String original = Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS;
        Instant scheduled = recovering && m.containsKey(original) ? Instant.ofEpochMilli(Long.parseLong(m.getString(original)))
                : ctx.getScheduledFireTime().toInstant();
        return new FloatingRun(kind, server, node, scheduled, ctx.getFireTime().toInstant(), recovering);
    }
}
