package io.barmand.restore;

import io.barmand.job.RunContext;
import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.barmand.restore.Steps.check;
import static io.barmand.restore.Steps.checkInterrupted;
import static io.barmand.restore.Steps.lastLines;
import static io.barmand.restore.Steps.left;
import static io.barmand.restore.Steps.logTail;
import static io.barmand.restore.Steps.sleep;

/**
 * Checks a started scratch instance, as facts and failed checks in the report: promoted (RTO), the recovery point,
 * databases, user tables, row counts, SQL assertions and the canary (through pgjdbc), then pg_amcheck.
 */
final class Verifier {
    private final Clock clock;

    Verifier(Clock clock) {
        this.clock = clock;
    }

    /** pg_amcheck on heap and btree of every database, unless verify.amcheck is off. */
    void amcheck(RestoreSettings rs, Instance sc, Report rep, Duration total, RunContext ctx) {
    // 6. pg_amcheck: heap and btree of every database
    if (rs.verify().amcheck()) {
        List<String> a = new ArrayList<>(List.of(rs.pgBinDir().resolve("pg_amcheck").toString(), "-h", sc.dir().toString(),
                "-p", Integer.toString(sc.port()), "-U", rs.superuser(), "--all", "--install-missing", "--no-password"));
        a.addAll(rs.verify().amcheckOptions());
        long a0 = System.nanoTime();
        CommandResult ar = sc.tool(a, left(total, ctx));
        check(ar, "pg_amcheck", total);
        rep.facts.seconds(io.barmand.history.FactNames.AMCHECK, (System.nanoTime() - a0) / 1e9);
        if (!ar.ok()) {
            rep.fail("amcheck", amcheckFindings(ar));
        }
    }
    }

    boolean sqlChecks(RestoreSettings rs, Instance sc, ScratchDb db, Duration total, RunContext ctx, Optional<Instant> targetTime,
                              Report rep) {
        try (Connection c = promoted(db, total, ctx)) {
            double rto = Steps.elapsed(total, ctx);
            rep.facts.seconds(io.barmand.history.FactNames.RTO, rto);
            // recovery point reached
            String replay = ScratchDb.one(c, "SELECT pg_last_xact_replay_timestamp()");
            String lsn = ScratchDb.one(c, "SELECT pg_last_wal_replay_lsn()");
            if (replay != null) {
                rep.facts.instant(io.barmand.history.FactNames.RECOVERY_POINT, Instant.parse(ScratchDb.one(c,
                        "SELECT to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")));
            }
            if (lsn != null) {
                rep.facts.lsn(io.barmand.history.FactNames.REPLAY_LSN, lsn);
            }
            long v0 = System.nanoTime();
            verify(rs, db, c, rep, targetTime);
            rep.facts.seconds(io.barmand.history.FactNames.SQL, (System.nanoTime() - v0) / 1e9);
            return true;
        } catch (SQLException e) {
            rep.fail("connect", e.getMessage() + " (" + logTail(sc) + ")");
            return false;
        }
    }

    private Connection promoted(ScratchDb db, Duration total, RunContext ctx) throws SQLException {
        SQLException last = null;
        while (true) {
            checkInterrupted();
            if (left(total, ctx).compareTo(Duration.ofSeconds(1)) <= 0) {
                throw new BarmandException(Category.TIMEOUT, "scratch instance not promoted within the timeout of " + total
                        + (last == null ? "" : ": " + last.getMessage()));
            }
            try {
                Connection c = db.connect("postgres", 10);
                if ("f".equals(ScratchDb.one(c, "SELECT pg_is_in_recovery()"))) {
                    return c;
                }
                c.close();
            } catch (SQLException e) {
                last = e;
            }
            sleep(50);
        }
    }

    private void verify(RestoreSettings rs, ScratchDb db, Connection c, Report rep, Optional<Instant> targetTime) throws SQLException {
        List<String> dbs = ScratchDb.column(c, "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1");
        rep.facts.count(io.barmand.history.FactNames.DATABASES, dbs.size());
        long userTables = 0;
        for (String name : dbs) {
            try (Connection dc = db.connect(name, 10)) {
                userTables += Long.parseLong(ScratchDb.one(dc, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') "
                        + "AND n.nspname NOT LIKE 'pg_toast%'"));
            }
        }
        rep.facts.count(io.barmand.history.FactNames.USER_TABLES, userTables);
        List<String> rows = new ArrayList<>();
        for (String t : rs.verify().tables()) {
            String dbName = t.substring(0, t.indexOf(':'));
            String[] q = t.substring(t.indexOf(':') + 1).split("\\.", 2);
            try (Connection dc = db.connect(dbName, 10)) {
                rows.add(t + "=" + ScratchDb.one(dc, "SELECT count(*) FROM \"" + q[0].replace("\"", "\"\"") + "\".\""
                        + q[1].replace("\"", "\"\"") + "\""));
            } catch (SQLException e) {
                rep.fail("table " + t, e.getMessage());
            }
        }
        if (!rows.isEmpty()) {
            rep.facts.text(io.barmand.history.FactNames.ROWS, String.join(",", rows));
        }
        for (RestoreSettings.Assertion a : rs.verify().assertions()) {
            try (Connection dc = db.connect(a.database(), 10)) {
                String got = ScratchDb.one(dc, a.query());
                if (!a.expect().equals(got)) {
                    rep.fail("assertion " + a.name(), "expected " + a.expect() + ", got " + got);
                }
            } catch (SQLException e) {
                rep.fail("assertion " + a.name(), e.getMessage());
            }
        }
        if (rs.canary().enabled()) {
            canary(rs, db, rep, targetTime);
        }
    }

    private void canary(RestoreSettings rs, ScratchDb db, Report rep, Optional<Instant> targetTime) {
        RestoreSettings.Canary k = rs.canary();
        try (Connection dc = db.connect(k.database(), 10)) {
            Optional<Canary.Row> newest = Canary.lastAtOrBefore(dc, k, null);
            if (newest.isEmpty()) {
                rep.fail("canary", "no canary row in the restored " + k.database() + "." + k.schema() + "." + k.table());
                return;
            }
            Instant now = clock.instant();
            rep.facts.instant(io.barmand.history.FactNames.CANARY_NEWEST, newest.get().writtenAt());
            if (targetTime.isPresent()) {
                Instant t = targetTime.get();
                Optional<Canary.Row> expected = new Canary(k).lastOnPrimaryAtOrBefore(t);
                long after = Canary.countAfter(dc, k, t);
                if (expected.isPresent() && !Canary.exists(dc, k, expected.get().id())) {
                    rep.fail("canary", "the last canary before the target (id " + expected.get().id() + " at "
                            + expected.get().writtenAt() + ") is missing");
                }
                if (after > 0) {
                    rep.fail("canary", after + " canary row(s) written after the target " + t + " were restored");
                }
                rep.facts.seconds(io.barmand.history.FactNames.CANARY_BEFORE_TARGET, Duration.between(newest.get().writtenAt(), t));
            } else {
                rep.facts.seconds(io.barmand.history.FactNames.CANARY_AGE, Duration.between(newest.get().writtenAt(), now));
            }
        } catch (SQLException e) {
            rep.fail("canary", e.getMessage());
        } catch (BarmandException e) {
            rep.fail("canary", e.getMessage());
        }
    }

    static String amcheckFindings(CommandResult r) {
        List<String> found = new ArrayList<>();
        String[] lines = (r.stdout() + "\n" + r.stderrTail()).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if ((l.startsWith("heap table") || l.startsWith("btree index")) && l.endsWith(":") && i + 1 < lines.length
                    && lines[i + 1].startsWith(" ")) {
                // pg_amcheck names the relation (and block), then says what is wrong on the next, indented line
                l = l + " " + lines[++i].strip().replaceAll("\\s+", " ");
            }
            if (l.startsWith("heap table") || l.startsWith("btree index") || l.startsWith("pg_amcheck: error")) {
                if (!found.contains(l) && found.size() < 4) {
                    found.add(l);
                }
            }
        }
        if (found.isEmpty()) {
            found.add("exit code " + r.exitCode() + ": " + lastLines(r.stdout() + "\n" + r.stderrTail(), 3));
        }
        return String.join(" | ", found);
    }

    /**
     * What barman recover, an S3 download and barmand add to a backup's folder: not in its backup_manifest. barman
     * recover keeps the original of each configuration file it rewrites (archive_command = false) as FILE.origin:
     * postgresql.auto.conf, and postgresql.conf where the data directory has one (an initdb run directly, as the
     * lab's primary, leaves one in PGDATA beside Debian's in /etc).
     */
    static final List<String> NOT_IN_MANIFEST = List.of(Scratch.MARKER, FromS3.S3_WAL, "barman_wal", "barman_xlog",
            ".barman-recover.info", "postgresql.auto.conf.origin", "postgresql.conf.origin", "postgresql.conf",
            "pg_hba.conf", "pg_ident.conf");

    /**
     * pg_verifybackup: every file of the recovered folder against the backup's backup_manifest (sizes and SHA or
     * CRC checksums, as pg_basebackup wrote them), before the instance starts and changes anything. The WAL is
     * not parsed here (it is not in pg_wal: recovery reads it through restore_command). False when a file differs.
     */
    boolean manifest(RestoreSettings rs, Instance sc, String backupId, Report rep, Duration total, RunContext ctx) {
        if (!rs.verify().manifest()) {
            return true;
        }
        // an S3 copy unpacks it as backup_manifest; barman recover renames it backup_manifest.BACKUP_ID
        Path manifest = null;
        for (String name : List.of("backup_manifest", "backup_manifest." + backupId)) {
            CommandResult has = sc.tool(List.of("test", "-f", sc.dir().resolve(name).toString()), Duration.ofSeconds(30));
            check(has, "test -f " + name, total);
            if (has.ok()) {
                manifest = sc.dir().resolve(name);
                break;
            }
        }
        if (manifest == null) {
            // rsync-method backups, and backups of PostgreSQL before 13, have none: recorded, not failed
            rep.facts.text(io.barmand.history.FactNames.MANIFEST, "absent");
            return true;
        }
        List<String> a = verifyArgv(rs.pgBinDir(), manifest, sc.dir(), backupId, List.of());
        long v0 = System.nanoTime();
        CommandResult r = sc.tool(a, left(total, ctx));
        check(r, "pg_verifybackup", total);
        rep.facts.seconds(io.barmand.history.FactNames.VERIFYBACKUP, (System.nanoTime() - v0) / 1e9);
        if (!r.ok()) {
            rep.facts.text(io.barmand.history.FactNames.MANIFEST, "failed");
            rep.fail("manifest", verifyFindings(r));
            return false;
        }
        rep.facts.text(io.barmand.history.FactNames.MANIFEST, "verified");
        return true;
    }

    /**
     * pg_verifybackup of {@code dir} against {@code manifest}, the WAL not parsed, ignoring what restores add to a
     * backup's folder ({@link #NOT_IN_MANIFEST}, {@code ignore}, barman recover's renamed backup_manifest).
     */
    static List<String> verifyArgv(Path pgBinDir, Path manifest, Path dir, String backupId, List<String> ignore) {
        List<String> a = new ArrayList<>(List.of(pgBinDir.resolve("pg_verifybackup").toString(), "--no-parse-wal",
                "--manifest-path=" + manifest));
        for (String i : NOT_IN_MANIFEST) {
            a.add("--ignore=" + i);
        }
        for (String i : ignore) {
            a.add("--ignore=" + i);
        }
        a.add("--ignore=backup_manifest." + backupId);
        a.add(dir.toString());
        return a;
    }

    /**
     * pg_checksums --check of the instance, stopped cleanly first (it refuses a cluster that was not), when the
     * cluster has data checksums (pg_controldata). False when a page is bad.
     */
    boolean checksums(RestoreSettings rs, Instance sc, Report rep, Duration total, RunContext ctx) {
        if (!rs.verify().checksums()) {
            return true;
        }
        String pgdata = sc.dir().toString();
        // pg_controldata reads the control file of the running instance: no checksums, no stop
        CommandResult cd = sc.tool(List.of(rs.pgBinDir().resolve("pg_controldata").toString(), pgdata), Duration.ofSeconds(60));
        check(cd, "pg_controldata", total);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Data page checksum version:\\s*(\\d+)").matcher(cd.stdout());
        if (cd.ok() && m.find() && m.group(1).equals("0")) {
            rep.facts.text(io.barmand.history.FactNames.CHECKSUMS, "off");
            return true;
        }
        CommandResult stop = sc.tool(List.of(rs.pgBinDir().resolve("pg_ctl").toString(), "stop", "-m", "fast", "-w", "-t",
                Long.toString(Math.max(10, Math.min(600, left(total, ctx).toSeconds()))), "-D", pgdata), left(total, ctx));
        check(stop, "pg_ctl stop", total);
        if (!stop.ok()) {
            rep.fail("checksums", "pg_ctl stop -m fast exit code " + stop.exitCode() + ": " + lastLines(stop.stderrTail(), 2));
            return false;
        }
        long c0 = System.nanoTime();
        CommandResult r = sc.tool(List.of(rs.pgBinDir().resolve("pg_checksums").toString(), "--check", "-D", pgdata),
                left(total, ctx));
        check(r, "pg_checksums", total);
        rep.facts.seconds(io.barmand.history.FactNames.CHECKSUMS_CHECK, (System.nanoTime() - c0) / 1e9);
        if (!r.ok()) {
            rep.facts.text(io.barmand.history.FactNames.CHECKSUMS, "failed");
            rep.fail("checksums", verifyFindings(r));
            return false;
        }
        rep.facts.text(io.barmand.history.FactNames.CHECKSUMS, "verified");
        return true;
    }

    /** The first problems pg_verifybackup or pg_checksums names (each names its file), and how many. */
    static String verifyFindings(CommandResult r) {
        List<String> found = new ArrayList<>();
        int n = 0;
        for (String line : (r.stderrTail() + "\n" + r.stdout()).split("\n")) {
            String l = line.strip();
            if (l.matches("^(pg_verifybackup|pg_checksums): (error|warning): .*") || l.startsWith("pg_checksums: error")) {
                String t = l.replaceFirst("^(pg_verifybackup|pg_checksums): (error|warning): ", "");
                if (t.startsWith("backup successfully verified") || t.isBlank()) {
                    continue;
                }
                n++;
                if (found.size() < 4 && !found.contains(t)) {
                    found.add(t);
                }
            }
        }
        if (found.isEmpty()) {
            return "exit code " + r.exitCode() + ": " + lastLines(r.stderrTail() + "\n" + r.stdout(), 3);
        }
        return (n > found.size() ? n + " problems: " : "") + String.join(" | ", found);
    }
}
