package io.barmand.restore;

import io.barmand.config.JobKind;
import io.barmand.schedule.JobRunner;
import io.barmand.schedule.ServerJob;
import org.quartz.DisallowConcurrentExecution;

/** The Quartz adapter of the restore test. */
@DisallowConcurrentExecution
public class RestoreTestJob extends ServerJob {
    public RestoreTestJob(JobRunner runner) {
        super(runner);
    }

    @Override
    protected JobKind kind() {
        return JobKind.RESTORE_TEST;
    }
}
