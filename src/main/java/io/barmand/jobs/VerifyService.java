package io.barmand.jobs;

import io.barmand.history.FactNames;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.config.JobKind;
import io.barmand.history.Facts;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunHistory;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The cheap check between restore tests: {@code barman verify-backup} (pg_verifybackup of Barman's copy against its
 * manifest) of every DONE backup not verified yet (the newest only, the first time), then, when the server has
 * offsite copies, the newest copy downloaded and checked against its manifest.
 */
public class VerifyService implements JobService {
    /** The offsite half: the newest copy of a server downloaded and checked; empty when the server has none. */
    public interface CopyCheck {
        Optional<Checked> newest(String server);
    }

    /** What a copy check found: the backup it checked and its problems (empty = verified). */
    public record Checked(String backupId, List<String> problems) {
    }

    private final BarmanClient barman;
    private final RunHistory history;
    private final CopyCheck copies;

    public VerifyService(BarmanClient barman, RunHistory history, CopyCheck copies) {
        this.barman = barman;
        this.history = history;
        this.copies = copies;
    }

    @Override
    public JobKind kind() {
        return JobKind.VERIFY;
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        List<BackupSummary> done = barman.listBackups(server, ctx.left()).stream().filter(b -> "DONE".equals(b.status()))
                .sorted(Comparator.comparing(BackupSummary::backupId)).toList();
        Optional<String> through = history.last(server, JobKind.VERIFY.id(), Outcome.SUCCESS)
                .flatMap(r -> r.facts().text(FactNames.VERIFIED_THROUGH));
        List<BackupSummary> todo = new ArrayList<>();
        if (through.isEmpty()) {
            if (!done.isEmpty()) {
                todo.add(done.get(done.size() - 1));
            }
        } else {
            done.stream().filter(b -> b.backupId().compareTo(through.get()) > 0).forEach(todo::add);
        }
        List<String> problems = new ArrayList<>();
        List<String> verified = new ArrayList<>();
        for (BackupSummary b : todo) {
            ctx.checkCancelled();
            List<String> p = barman.verifyBackup(server, b.backupId(), ctx.left());
            if (p.isEmpty()) {
                verified.add(b.backupId());
            } else {
                problems.add("backup " + b.backupId() + ": " + String.join("; ", p.subList(0, Math.min(3, p.size())))
                        + (p.size() > 3 ? " (" + p.size() + " problems)" : ""));
            }
        }
        Facts.Builder f = Facts.builder().count(FactNames.VERIFIED, verified.size());
        // a failed backup stays "not verified": the next run tries it again
        String newestOk = problems.isEmpty() ? (todo.isEmpty() ? through.orElse(null) : todo.get(todo.size() - 1).backupId())
                : through.orElse(null);
        if (newestOk != null) {
            f.text(FactNames.VERIFIED_THROUGH, newestOk);
        }
        if (!verified.isEmpty()) {
            f.text(FactNames.VERIFIED_BACKUPS, String.join(",", verified));
        }
        ctx.checkCancelled();
        Optional<Checked> c = copies.newest(server);
        if (c.isPresent()) {
            f.text(FactNames.OFFSITE_CHECKED, c.get().backupId());
            c.get().problems().stream().limit(3).forEach(p -> problems.add("offsite copy of " + c.get().backupId() + ": " + p));
        }
        f.count(FactNames.PROBLEMS, problems.size());
        String detail = (todo.isEmpty() ? "no new backup to verify" : verified.size() + " of " + todo.size()
                + " new backup(s) verified by barman verify-backup") + (c.map(x -> "; offsite copy " + x.backupId()
                + (x.problems().isEmpty() ? " downloaded and verified" : " has problems")).orElse(""));
        RunFigures fig = new RunFigures(todo.isEmpty() ? null : todo.get(todo.size() - 1).backupId(), null, null, List.of(),
                problems.isEmpty() ? null : String.join(" | ", problems), detail, f.build());
        return problems.isEmpty() ? Result.ok(fig) : Result.failed(fig);
    }
}
