package io.barmand.jobs;

import io.barmand.history.FactNames;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.CheckReport;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import java.util.List;
import java.util.TreeSet;

/**
 * `barman check SERVER`: success when every check is OK; otherwise the names of the failed checks. The names of all
 * the checks are its fact "checks" (Barman's keys, such as wal_archive, comma-separated), for barman_up{check}.
 */
public class CheckService implements JobService {
    private final BarmanClient barman;

    public CheckService(BarmanClient barman) {
        this.barman = barman;
    }

    @Override
    public JobKind kind() {
        return JobKind.CHECK;
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        JobSettings settings = ctx.settings();
        CheckReport r = barman.check(server, settings.timeout());
        List<String> failed = r.failedChecks();
        Facts facts = Facts.builder()
                .text(FactNames.CHECKS, r.checks().isEmpty() ? null : String.join(",", new TreeSet<>(r.checks().keySet())))
                .build();
        if (r.ok()) {
            return Result.ok(new RunFigures(null, null, null, List.of(), null, r.checks().size() + " checks OK", facts));
        }
        String error;
        if (!r.messages().errors().isEmpty()) {
            error = String.join("; ", r.messages().errors());
        } else if (r.checks().isEmpty()) {
            error = "barman check returned no checks for " + server;
        } else {
            StringBuilder b = new StringBuilder("failed checks:");
            r.checks().values().stream().filter(c -> !c.ok()).forEach(c ->
                    b.append(' ').append(c.name()).append(c.hint().isBlank() ? "" : " (" + c.hint() + ")").append(';'));
            error = b.substring(0, b.length() - 1);
        }
        String detail = r.checks().isEmpty() ? null
                : (r.checks().size() - failed.size()) + " of " + r.checks().size() + " checks OK";
        return Result.failed(new RunFigures(null, null, null, failed, error, detail, facts));
    }
}
