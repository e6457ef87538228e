package io.barmand.jobs;

import io.barmand.barman.BarmanClient;
import io.barmand.config.JobKind;
import io.barmand.config.JobSettings;
import io.barmand.history.RunFigures;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import java.util.List;

/** `barman switch-wal --archive [--force] SERVER`. */
public class SwitchWalService implements JobService {
    private final BarmanClient barman;

    public SwitchWalService(BarmanClient barman) {
        this.barman = barman;
    }

    @Override
    public JobKind kind() {
        return JobKind.SWITCH_WAL;
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        JobSettings s = ctx.settings();
        BarmanClient.Call c = barman.switchWal(server, s.force(), s.archiveTimeout(), s.timeout());
        List<String> info = c.messages().info();
        String detail = info.isEmpty() ? null : info.get(0);
        if (c.ok()) {
            return Result.ok(new RunFigures(null, null, null, List.of(), null, detail));
        }
        return Result.failed(new RunFigures(null, null, null, List.of(), c.error(), detail));
    }
}
