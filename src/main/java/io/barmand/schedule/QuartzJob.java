package io.barmand.schedule;

import io.barmand.config.JobKind;
import io.barmand.history.Trigger;
import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.vocabulary.RestoreSource;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;

/**
 * The one Quartz job class, for every kind: reads the kind, the server, the trigger and a restore test's source from
 * the job data (the trigger's merged over the job's) and hands the run to the {@link JobRunner}, which queues it by
 * its {@link ConflictRules}; the Quartz thread returns at once, so {@code @DisallowConcurrentExecution} (per job key:
 * a fire of one server's job never runs twice at once) costs nothing.
 */
@DisallowConcurrentExecution
public final class QuartzJob implements Job {
    /** The job kind's id ({@link JobKind#id()}), in the data of every job. */
    public static final String KIND = "kind";
    public static final String SERVER = "server";
    public static final String TRIGGER = "trigger";
    /** A restore test's source, in the data of the trigger of {@code restore-test.s3.schedule}: its runs read S3. */
    public static final String SOURCE = "source";

    private final JobRunner runner;

    public QuartzJob(JobRunner runner) {
        this.runner = runner;
    }

    @Override
    public void execute(JobExecutionContext ctx) throws JobExecutionException {
        JobDataMap m = ctx.getMergedJobDataMap();
        JobKind kind = JobKind.byId(m.getString(KIND)).orElseThrow(() ->
                new JobExecutionException("job " + ctx.getJobDetail().getKey() + ": unknown kind " + m.getString(KIND)));
        String server = m.containsKey(SERVER) ? m.getString(SERVER) : ""; // none: a job of the host
        Trigger trigger = m.containsKey(TRIGGER) ? Trigger.of(m.getString(TRIGGER)) : Trigger.SCHEDULED;
        RunOptions options = m.containsKey(SOURCE) ? RunOptions.source(RestoreSource.named(m.getString(SOURCE))) : RunOptions.NONE;
        runner.submitRecorded(new RunRequest(kind, server, trigger, options, 1));
    }
}
