package io.barmand.retention;

import io.barmand.history.FactNames;
import io.barmand.barman.BarmanClient;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionPolicy;
import io.barmand.config.RetentionSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.job.JobService;
import io.barmand.job.RunContext;
import io.barmand.job.RunOptions;
import io.barmand.vocabulary.KeepRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention job of a server, in three concerns: what is there ({@link Gather}: Barman, the bucket, the journals,
 * the keeps), applied locally ({@link LocalApply}: Barman keep/delete) and to the bucket ({@link BucketApply}).
 * The plans of its Barman catalogue and of its copies in the bucket
 * ({@link RetentionEngine}), applied with Barman's own commands and explicit S3 deletes. The runner never runs it
 * beside a backup, copy, restore test or verify of the server (ConflictRules), so nothing reads a backup it deletes.
 * <p>
 * Local, in the order of the package documentation: {@code barman keep --target standalone} on the backups a tier
 * alone keeps (written down first in STATE-DIR/retention-keeps, so that barmand knows its own keeps from an
 * admin's), {@code barman keep --release} where no tier wants a keep of barmand's any more, then {@code barman
 * delete}, oldest first. In the bucket: each expired copy loses its manifest first (so that a half-deleted copy never
 * looks whole), then its objects; then the WAL objects older than the oldest copy the window or a rail keeps, except
 * those a copy kept by a tier alone needs; then every kept copy is checked (HEAD of each object against its manifest)
 * and the WAL from the oldest such copy on has no gap.
 */
public final class RetentionService implements JobService {
    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    /** Checks one copy in the bucket without downloading it; its problems, empty when whole. */
    public interface CopyCheck {
        List<String> problems(String server, String backupId);
    }

    private final BarmanClient barman;
    private final Map<String, ServerSettings> servers;
    private final Function<OffsiteSettings, S3Store> stores;
    private final Journals journals;
    private final Gather gather;
    private final LocalApply local;
    private final BucketApply bucket;

    /** Without backups held by another capability (tests of retention alone). */
    public RetentionService(BarmanClient barman, RunStore store, Map<String, ServerSettings> servers,
                            Function<OffsiteSettings, S3Store> stores, CopyCheck copyCheck, Path stateDir, Clock clock) {
        this(barman, store, servers, stores, copyCheck, KeepRegistry.NONE, stateDir, clock);
    }

    /** @param underTest the backups restore tests hold now: kept, and their keeps barmand's (never an admin's rail) */
    public RetentionService(BarmanClient barman, RunStore store, Map<String, ServerSettings> servers,
                            Function<OffsiteSettings, S3Store> stores, CopyCheck copyCheck, KeepRegistry underTest,
                            Path stateDir, Clock clock) {
        this.barman = barman;
        this.servers = servers;
        this.stores = stores;
        this.journals = new Journals(stateDir, clock);
        this.gather = new Gather(barman, store, servers, stores, underTest, journals, clock);
        this.local = new LocalApply(barman, journals);
        this.bucket = new BucketApply(copyCheck, journals, clock);
    }

    @Override
    public JobKind kind() {
        return JobKind.RETENTION;
    }

    /** A chained run carries the backup it follows (ignored); {@code --allow-mass-delete}; nothing else. */
    @Override
    public void check(RunOptions options) {
        if (options.target().isPresent()) {
            throw new BarmandException(Category.USAGE, "job 'retention' takes no --target");
        }
        if (options.source().isPresent()) {
            throw new BarmandException(Category.USAGE, "job 'retention' takes no --from");
        }
    }

    /** Whether the server has retention on (for the chain after its backups). */
    public boolean enabled(String server) {
        ServerSettings s = servers.get(server);
        return s != null && s.retention().isPresent();
    }

    /** Whether its run follows each new backup (retention on, after-backup): after its offsite copy when offsite is on. */
    public boolean followsBackups(String server) {
        ServerSettings s = servers.get(server);
        return s != null && s.retention().map(RetentionSettings::afterBackup).orElse(false);
    }

    /**
     * Both plans of a server, touching nothing.
     *
     * @param barmanPolicy Barman's own retention_policy when set (barmand then refuses to apply anything)
     * @param s3           the bucket's plan, when offsite is on
     * @param copies       the manifests of the copies in the bucket, by backup id
     * @param s3Error      why the bucket could not be read ("" when it was)
     * @param foreignKeeps the backups barmand's journal names whose keep in Barman is no longer barmand's, with why:
     *                     their entries are dropped by the run, their keeps are an admin's (a rail)
     * @param locks        under Object Lock, each copy's retain-until (its manifest's), by backup id
     */
    public record Plans(String server, Optional<String> barmanPolicy, Plan local, Optional<Plan> s3,
                        Map<String, Manifest> copies, String s3Error, Map<String, String> foreignKeeps,
                        Map<String, java.time.Instant> locks) {
        public Plans {
            foreignKeeps = Map.copyOf(foreignKeeps);
            locks = Map.copyOf(locks);
        }

        /** Plans without Object Lock. */
        public Plans(String server, Optional<String> barmanPolicy, Plan local, Optional<Plan> s3,
                     Map<String, Manifest> copies, String s3Error, Map<String, String> foreignKeeps) {
            this(server, barmanPolicy, local, s3, copies, s3Error, foreignKeeps, Map.of());
        }
    }

    /** The plans of {@code server} at {@code now} ({@code retention plan}, and the first step of a run). */
    public Plans plans(String server, boolean allowMassDelete, Duration timeout) {
        return gather.plans(server, allowMassDelete, timeout);
    }

    @Override
    public Result execute(RunContext ctx) {
        String server = ctx.server();
        Plans plans = plans(server, ctx.options().allowMassDelete(), ctx.left());
        Facts.Builder f = Facts.builder();
        List<String> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        if (plans.barmanPolicy().isPresent()) {
            String why = "Barman's own retention_policy = " + plans.barmanPolicy().get() + " is set for " + server
                    + ": barman cron would delete the backups barmand's tiers keep; empty it in Barman's configuration"
                    + " of the server (the playbook does when barmand's retention is on): nothing done";
            return Result.failed(new RunFigures(null, null, null, List.of("barman-retention-policy"), why, why,
                    f.text(FactNames.REFUSED, why).build()));
        }
        // barmand's journal follows Barman: an entry whose keep is no longer barmand's is dropped (an admin's now)
        for (Map.Entry<String, String> e : plans.foreignKeeps().entrySet()) {
            journals.forgetKeep(server, e.getKey());
            log.warn("{}: backup {}: barmand's note of its standalone keep dropped: {}", server, e.getKey(), e.getValue());
        }
        if (!plans.foreignKeeps().isEmpty()) {
            text(f, FactNames.KEEP_NOTES_DROPPED, List.copyOf(plans.foreignKeeps().keySet()));
        }
        // local
        Plan lp = plans.local();
        f.count(FactNames.BACKUPS, lp.decisions().size());
        Long walBefore = barman.archivedWalBytes(server).orElse(null);
        LocalApply.Applied la = new LocalApply.Applied();
        if (lp.refused()) {
            failed.add("refused");
            errors.add("local: " + lp.refusal());
            f.text(FactNames.REFUSED, lp.refusal());
        } else {
            try {
                local.apply(server, lp, la, ctx);
            } catch (BarmandException e) {
                failed.add("local");
                errors.add("local: " + e.getMessage());
            }
        }
        f.count(FactNames.DELETED, la.deleted.size()).count(FactNames.STANDALONE, la.marked.size()).count(FactNames.RELEASED, la.released.size());
        text(f, FactNames.DELETED_BACKUPS, la.deleted);
        text(f, FactNames.STANDALONE_BACKUPS, la.marked);
        text(f, FactNames.RELEASED_BACKUPS, la.released);
        f.count(FactNames.KEPT, lp.decisions().size() - la.deleted.size());
        barman.archivedWalBytes(server).ifPresent(after -> {
            if (walBefore != null) {
                f.bytes(FactNames.WAL_BEFORE, walBefore).bytes(FactNames.WAL_AFTER, after);
            }
        });
        // the bucket
        ServerSettings ss = servers.get(server);
        if (ss.offsite().enabled()) {
            if (!plans.s3Error().isEmpty()) {
                failed.add("s3");
                errors.add("s3: the bucket cannot be read: " + plans.s3Error());
            } else if (plans.s3().isPresent()) {
                Plan sp = plans.s3().get();
                f.count(FactNames.S3_COPIES, sp.decisions().size());
                if (sp.refused()) {
                    failed.add("s3-refused");
                    errors.add("s3: " + sp.refusal());
                    f.text(FactNames.S3_REFUSED, sp.refusal());
                } else {
                    try (S3Store st = stores.apply(ss.offsite())) {
                        BucketApply.S3Applied sa = bucket.apply(server, st, sp, plans.copies(), plans.locks(), ctx);
                        f.count(FactNames.S3_DELETED, sa.deleted.size()).count(FactNames.S3_WAL_DELETED, sa.walDeleted)
                                .bytes(FactNames.S3_FREED, sa.freed).count(FactNames.S3_VERIFIED, sa.verified);
                        text(f, FactNames.S3_DELETED_BACKUPS, sa.deleted);
                        if (sa.lockExtended > 0) {
                            log.info("{}: {} offsite cop(ies) locked longer (a longer tier keeps them)", server, sa.lockExtended);
                        }
                        if (!sa.problems.isEmpty()) {
                            failed.add("s3-verify");
                            errors.add("s3: after expiry: " + String.join("; ", sa.problems));
                        }
                    } catch (RuntimeException e) {
                        failed.add("s3");
                        errors.add("s3: " + e.getMessage());
                    }
                }
            }
        }
        Facts facts = f.build();
        String detail = RetentionText.detail(facts);
        if (!errors.isEmpty()) {
            String error = String.join(" | ", errors);
            return Result.failed(new RunFigures(null, null, null, failed, error, detail, facts));
        }
        return Result.ok(new RunFigures(null, null, null, List.of(), null, detail, facts));
    }

    private static void text(Facts.Builder f, String name, List<String> ids) {
        if (!ids.isEmpty()) {
            f.text(name, String.join(",", ids));
        }
    }


    /** The policies in one line each, for the plan's heading. */
    static String policies(ServerSettings ss) {
        RetentionSettings rs = ss.retention().orElseThrow();
        return "local: " + rs.local().summary() + rs.s3().map(RetentionPolicy::summary).map(x -> "\ns3: " + x).orElse("");
    }
}
