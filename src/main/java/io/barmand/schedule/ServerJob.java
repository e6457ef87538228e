package io.barmand.schedule;

import io.barmand.job.RunOptions;
import io.barmand.job.RunRequest;
import io.barmand.config.JobKind;
import io.barmand.history.Trigger;
import io.barmand.vocabulary.RestoreSource;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;

/**
 * The thin Quartz side of a job: reads the server, the trigger and a restore test's source from the job data (the
 * trigger's merged over the job's) and hands the run to the
 * {@link JobRunner}, which queues it by its conflict rules; the Quartz thread returns at once. Subclasses only name
 * their kind.
 */
public abstract class ServerJob implements Job {
    public static final String SERVER = "server";
    public static final String TRIGGER = "trigger";
    /** A restore test's source, in the data of the trigger of {@code restore-test.s3.schedule}: its runs read S3. */
    public static final String SOURCE = "source";

    private final JobRunner runner;

    protected ServerJob(JobRunner runner) {
        this.runner = runner;
    }

    protected abstract JobKind kind();

    @Override
    public void execute(JobExecutionContext ctx) {
        JobDataMap m = ctx.getMergedJobDataMap();
        String server = m.containsKey(SERVER) ? m.getString(SERVER) : ""; // none: a job of the host
        Trigger trigger = m.containsKey(TRIGGER) ? Trigger.of(m.getString(TRIGGER)) : Trigger.SCHEDULED;
        RunOptions options = m.containsKey(SOURCE) ? RunOptions.source(RestoreSource.named(m.getString(SOURCE))) : RunOptions.NONE;
        runner.submitRecorded(new RunRequest(kind(), server, trigger, options, 1));
    }
}
