package io.barmand.jobs;

import io.barmand.history.FactNames;
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
        Instant before = ctx.clock().instant().minus(keep).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int n = history.prune(before);
        Facts f = Facts.builder().count(FactNames.DELETED, n).instant(FactNames.ENDED_BEFORE, before).build();
        return Result.ok(new RunFigures(null, null, null, List.of(), null,
                n + " run(s) that ended before " + before + " deleted (history.keep = " + human(keep) + ")", f));
    }

    /** 400d, 36h, 90m: as the config writes it. */
    static String human(Duration d) {
        if (d.toSeconds() % 86_400 == 0) {
            return d.toDays() + "d";
        }
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
