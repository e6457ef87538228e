package io.barmand.offsite;

import io.barmand.config.JobKind;
import io.barmand.schedule.JobRunner;
import io.barmand.schedule.ServerJob;
import org.quartz.DisallowConcurrentExecution;

/** The Quartz adapter of the offsite copy. */
@DisallowConcurrentExecution
public class OffsiteJob extends ServerJob {
    public OffsiteJob(JobRunner runner) {
        super(runner);
    }

    @Override
    protected JobKind kind() {
        return JobKind.OFFSITE;
    }
}
