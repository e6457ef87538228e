package io.barmand.restore;

import io.barmand.history.Sizes;
import io.barmand.vocabulary.RestoreSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What {@code barmand restore} says at the end: what it did, then what the admin does next. */
public final class DisasterText {
    private DisasterText() {
    }

    public static List<String> done(DisasterRestore.Result r) {
        List<String> l = new ArrayList<>();
        String dir = r.dir().toString();
        String log = r.dir().resolve("barmand-restore.log").toString();
        String version = DisasterRestore.pgVersion(r.dir()).orElse("VERSION");
        boolean fetch = r.source() == RestoreSource.S3 && r.wal() == DisasterRestore.Wal.FETCH;
        l.add(String.format(Locale.ROOT, "restored %s backup %s into %s in %.1f s: %s %s%s", r.server(), r.backupId(), dir,
                r.took().toMillis() / 1000.0, Sizes.human(r.bytes()),
                r.source() == RestoreSource.S3 ? "downloaded" : "recovered by Barman",
                r.source() != RestoreSource.S3 ? "" : fetch ? ", " + r.walFiles() + " WAL file(s) left in the bucket"
                        : ", " + r.walFiles() + " WAL file(s)"));
        l.add("checked: " + String.join("; ", r.checks()));
        if (!r.configWritten().isEmpty()) {
            l.add("wrote " + String.join(", ", r.configWritten()) + ": the backup has none (a Debian cluster keeps them in "
                    + "/etc/postgresql/" + version + "/CLUSTER); PostgreSQL's defaults apply until you bring back the old ones");
        }
        l.add("");
        l.add("Next:");
        int n = 1;
        if (r.root()) {
            l.add("  " + n++ + ". chown -R postgres:postgres " + dir + "   (barmand ran as root; PostgreSQL runs only on files its user owns)");
        }
        if (fetch) {
            l.add("  " + n++ + ". user postgres runs barmand wal-restore during the recovery: it must read " + r.configFile()
                    + r.credentialsFile().map(c -> " and " + c).orElse("") + " (e.g. adduser postgres barman, when they are "
                    + "root:barman 0640), and reach the bucket");
        }
        l.add("  " + n++ + ". start it as postgres; it recovers" + (r.targetTime().isPresent() ? " to " + r.targetTime().get() : "")
                + " before it accepts connections:");
        l.add("       runuser -u postgres -- " + r.pgBinDir().resolve("pg_ctl") + " -D " + dir + " -l " + log + " start");
        l.add("     (port 5432 and socket /var/run/postgresql unless postgresql.conf says otherwise: add -o \"-p PORT\" for another port)");
        l.add("     or as a Debian cluster (pg_createcluster moves its postgresql.conf, pg_hba.conf and pg_ident.conf to "
                + "/etc/postgresql/" + version + "/NAME):");
        l.add("       pg_createcluster " + version + " NAME -d " + dir + " && pg_ctlcluster " + version + " NAME start");
        // barman recover without a target puts the WAL into pg_wal and no recovery.signal: a crash recovery
        boolean crash = r.source() == RestoreSource.BARMAN && r.targetTime().isEmpty() && !java.nio.file.Files.exists(
                r.dir().resolve("recovery.signal"));
        l.add("  " + n + ". watch it: tail -f " + log + " (a Debian cluster: /var/log/postgresql/postgresql-" + version
                + "-NAME.log): " + (crash ? "\"redo starts at ...\", \"redo done at ...\"" : "\"restored log file ...\" for each WAL "
                + "file, then \"archive recovery complete\"") + " and \"database system is ready to accept connections\"; it is done when");
        l.add("       runuser -u postgres -- psql -Atc \"SELECT pg_is_in_recovery()\"   says f");
        return l;
    }
}
