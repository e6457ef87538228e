package io.barmand.jobs;

import io.barmand.history.FactNames;
import io.barmand.config.JobKind;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.state.KeptRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job of the host: deletes the runs that ended more than history.keep ago, and the other records kept beside them
 * (sent mails, delivered webhook posts) older than that.
 */
public class PruneHistoryService implements JobService {
    private final RunHistory history;
    private final Duration keep;
    private final List<KeptRecords> others;

    public PruneHistoryService(RunHistory history, Duration keep, List<KeptRecords> others) {
        this.history = history;
        this.keep = keep;
        this.others = List.copyOf(others);
    }

    @Override
    public JobKind kind() {
        return JobKind.PRUNE_HISTORY;
    }

    @Override
    public Result execute(RunContext ctx) {
        Instant before = ctx.clock().instant().minus(keep).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        int n = history.prune(before);
        StringBuilder summary = new StringBuilder(n + " run(s) that ended before " + before + " deleted (history.keep = "
                + human(keep) + ")");
        int records = 0;
        for (KeptRecords r : others) {
            int k = r.prune(before);
            records += k;
            summary.append(", ").append(k).append(' ').append(r.what());
        }
        Facts f = Facts.builder().count(FactNames.DELETED, n).count(FactNames.RECORDS_DELETED, records)
                .instant(FactNames.ENDED_BEFORE, before).build();
        return Result.ok(new RunFigures(null, null, null, List.of(), null, summary.toString(), f));
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
