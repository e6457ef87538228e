package io.barmand.schedule;

import io.barmand.config.JobKind;
import org.quartz.DisallowConcurrentExecution;

/**
 * One Quartz job class per job kind. Each only hands its run to the {@link JobRunner}'s queue and returns, so
 * {@code @DisallowConcurrentExecution} (kept: a fire never runs twice at once) costs nothing; the runner's
 * {@link ConflictRules} decide what may run together.
 */
public final class Adapters {
    private Adapters() {
    }

    @DisallowConcurrentExecution
    public static class CheckJob extends ServerJob {
        public CheckJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.CHECK;
        }
    }

    @DisallowConcurrentExecution
    public static class SwitchWalJob extends ServerJob {
        public SwitchWalJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.SWITCH_WAL;
        }
    }

    @DisallowConcurrentExecution
    public static class BackupJob extends ServerJob {
        public BackupJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.BACKUP;
        }
    }

    @DisallowConcurrentExecution
    public static class RestoreTestJob extends ServerJob {
        public RestoreTestJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.RESTORE_TEST;
        }
    }

    @DisallowConcurrentExecution
    public static class OffsiteJob extends ServerJob {
        public OffsiteJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.OFFSITE;
        }
    }

    @DisallowConcurrentExecution
    public static class PruneHistoryJob extends ServerJob {
        public PruneHistoryJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.PRUNE_HISTORY;
        }
    }

    @DisallowConcurrentExecution
    public static class ReportJob extends ServerJob {
        public ReportJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.REPORT;
        }
    }

    @DisallowConcurrentExecution
    public static class VerifyJob extends ServerJob {
        public VerifyJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.VERIFY;
        }
    }

    @DisallowConcurrentExecution
    public static class RetentionJob extends ServerJob {
        public RetentionJob(JobRunner runner) {
            super(runner);
        }

        @Override
        protected JobKind kind() {
            return JobKind.RETENTION;
        }
    }
}
