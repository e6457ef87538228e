package io.barmand.jobs;

import io.barmand.config.JobKind;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A job of the host: deletes the runs that ended more than history.keep ago. */
public class PruneHistoryService implements JobService {
    private final RunHistory history;
    private final Duration keep;

    public PruneHistoryService(RunHistory history, Duration keep) {
        this.history = history;
        this.keep = keep;
    }

    @Override
    public JobKind kind() {
        return JobKind.PRUNE_HISTORY;
    }

    @Override
    public Result execute(RunContext ctx) {
        Instant before = ctx.clock().instant().minus(keep);
        int n = history.prune(before);
        Facts f = Facts.builder().count("deleted", n).instant("ended-before", before).build();
        return Result.ok(new RunFigures(null, null, null, List.of(), null,
                n + " run(s) that ended before " + before + " deleted (history.keep = " + keep + ")", f));
    }
}
