package io.barmand.config;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The kinds of job barmand runs; the id is the config key and the word in history. Most are jobs of a server
 * (scheduled per server, in its block); a job of the host runs once for the whole host, with no server (the
 * history's pruning, then the morning report).
 */
public enum JobKind {
    CHECK("check", Scope.SERVER),
    SWITCH_WAL("switch-wal", Scope.SERVER),
    BACKUP("backup", Scope.SERVER),
    RESTORE_TEST("restore-test", Scope.SERVER),
    OFFSITE("offsite", Scope.SERVER),
    /** barman verify-backup of the backups not verified yet, and the newest offsite copy downloaded and checked */
    VERIFY("verify", Scope.SERVER),
    /** applies the retention policy: barman keep, release and delete, and the expiry of the bucket's copies */
    RETENTION("retention", Scope.SERVER),
    /** deletes runs older than history.keep from the history */
    PRUNE_HISTORY("prune-history", Scope.HOST),
    /** makes the morning report, keeps it in the state folder and mails it */
    REPORT("report", Scope.HOST);

    /** What a run of the kind is for: one server, or the host. */
    public enum Scope { SERVER, HOST }

    private final String id;
    private final Scope scope;

    JobKind(String id, Scope scope) {
        this.id = id;
        this.scope = scope;
    }

    public String id() {
        return id;
    }

    public boolean host() {
        return scope == Scope.HOST;
    }

    /** Old names an admin may still type, as Barman 3.4 accepts them: {@code switch-xlog} is {@code switch-wal}. */
    public static final Map<String, JobKind> ALIASES = Map.of("switch-xlog", SWITCH_WAL);

    /** The kind of an id or of an old name ({@link #ALIASES}). */
    public static Optional<JobKind> byId(String id) {
        JobKind alias = id == null ? null : ALIASES.get(id);
        return alias != null ? Optional.of(alias) : Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }

    /** The ids, for messages: "check, switch-wal, ...". */
    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(JobKind::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
