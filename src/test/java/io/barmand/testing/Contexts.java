package io.barmand.testing;

import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import java.time.Duration;

/** Run contexts for calling a job's service directly in a test. */
public final class Contexts {
    private Contexts() {
    }

    public static RunContext of(JobKind kind, String server, RunOptions options) {
        JobSettings js = io.barmand.testing.Jobs.settings(kind, null, Duration.ofHours(1), false, Duration.ofSeconds(30), false);
        return RunContext.of(server, js, options);
    }

    /** An offsite copy of {@code backupId} ("" = the newest). */
    public static RunContext offsite(String server, String backupId) {
        return of(JobKind.OFFSITE, server, RunOptions.backup(backupId));
    }
}
