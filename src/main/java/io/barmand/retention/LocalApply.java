package io.barmand.retention;

import io.barmand.barman.BarmanClient;
import io.barmand.job.RunContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local plan applied with Barman's own commands (through {@code barman/}), in the order of the package
 * documentation: mark, release, delete oldest first; then the journals follow Barman.
 */
final class LocalApply {
    private static final Logger log = LoggerFactory.getLogger(LocalApply.class);
    private final BarmanClient barman;
    private final Journals journals;

    LocalApply(BarmanClient barman, Journals journals) {
        this.barman = barman;
        this.journals = journals;
    }

    /** What a local run did, as it went (kept when it stops half-way). */
    static final class Applied {
        final List<String> marked = new ArrayList<>();
        final List<String> released = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
    }

    void apply(String server, Plan plan, Applied a, RunContext ctx) {
        // 1. mark: adding protection first can only make a run cut short delete less
        for (Decision d : plan.keepsStandalone()) {
            ctx.checkCancelled();
            if (barman.keepStatus(server, d.backupId(), ctx.left()).equals("nokeep")) {
                journals.noteKeep(server, d.backupId(), d.reason().text());
                barman.keep(server, d.backupId(), "standalone", ctx.left());
                barman.keepOf(server, d.backupId(), ctx.left()).since().ifPresent(t -> journals.noteAnnotation(server, d.backupId(), t));
                log.info("{}: backup {} kept standalone ({})", server, d.backupId(), d.reason().text());
                a.marked.add(d.backupId());
            }
        }
        // 2. release the keeps no tier wants, the backup staying
        for (Decision d : plan.decisions()) {
            if (d.verdict() == Verdict.RELEASE_AND_KEEP) {
                ctx.checkCancelled();
                release(server, d.backupId(), ctx);
                a.released.add(d.backupId());
            }
        }
        // 3. delete, oldest first (the WAL each one held goes as Barman deletes it)
        List<Decision> deletes = new ArrayList<>(plan.deletes());
        Collections.reverse(deletes);
        for (Decision d : deletes) {
            ctx.checkCancelled();
            if (d.verdict() == Verdict.RELEASE_AND_DELETE) {
                release(server, d.backupId(), ctx);
                a.released.add(d.backupId());
            }
            barman.delete(server, d.backupId(), ctx.left());
            log.info("{}: backup {} deleted ({})", server, d.backupId(), d.reason().text());
            a.deleted.add(d.backupId());
        }
        // keeps written down that Barman no longer has (released by hand): forgotten
        for (String id : journals.ids(Journals.KEEPS, server)) {
            Decision d = plan.decision(id);
            if (d == null || d.verdict().deletes()) {
                journals.forgetKeep(server, id);
            }
        }
        // expired copies of backups Barman no longer has: nothing left to judge
        for (String id : journals.ids(Journals.EXPIRED, server)) {
            Decision d = plan.decision(id);
            if (d == null || d.verdict().deletes()) {
                journals.forget(Journals.EXPIRED, server, id);
            }
        }
    }

    void release(String server, String id, RunContext ctx) {
        barman.releaseKeep(server, id, ctx.left());
        journals.forgetKeep(server, id);
        log.info("{}: keep of backup {} released (no tier wants it)", server, id);
    }

}
