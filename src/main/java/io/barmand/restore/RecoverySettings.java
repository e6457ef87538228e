package io.barmand.restore;

import io.barmand.config.RestoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;


/**
 * What makes an unpacked backup folder recover when PostgreSQL starts on it: a restore_command and the recovery
 * target appended to its postgresql.auto.conf (the last setting of the file wins), and recovery.signal. Shared by
 * the restore test from S3 and by {@code barmand restore}.
 */
final class RecoverySettings {
    /** How PostgreSQL's recovery_target_time is written: "2026-11-24 01:00:00.000000+00:00". */
    static final java.time.format.DateTimeFormatter TARGET_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    private RecoverySettings() {
    }

    /** A string literal of postgresql.conf. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** A word for /bin/sh, in double quotes (restore_command runs through the shell). */
    static String shellWord(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"";
    }

    /**
     * The lines: {@code comment}, restore_command, then for a point-in-time target recovery_target_time (the run's
     * time) or recovery_target_lsn, with recovery_target_action = 'promote'; {@code extra} in between.
     */
    static List<String> lines(String comment, String restoreCommand, List<String> extra, RestoreSettings.Target target,
                              Optional<Instant> targetTime) {
        List<String> conf = new ArrayList<>();
        conf.add("# " + comment);
        conf.add("restore_command = " + literal(restoreCommand));
        conf.addAll(extra);
        if (target.pointInTime()) {
            if (targetTime.isPresent()) {
                conf.add("recovery_target_time = " + literal(TARGET_TIME.format(targetTime.get().atOffset(ZoneOffset.UTC))));
            } else {
                conf.add("recovery_target_lsn = " + literal(target.lsn().orElseThrow()));
            }
            conf.add("recovery_target_action = 'promote'");
        }
        return conf;
    }

    /** Appends {@code lines} to DIR/postgresql.auto.conf and writes DIR/recovery.signal. */
    static void write(Path dir, List<String> lines) throws IOException {
        Files.write(dir.resolve("postgresql.auto.conf"), lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("recovery.signal"), "");
    }

    static final String POSTGRESQL_CONF = String.join("\n",
            "# written by barmand restore: the backup has no postgresql.conf (on Debian it lives in",
            "# /etc/postgresql/VERSION/CLUSTER, outside the data directory, and is not in the backup).",
            "# PostgreSQL's defaults apply; bring back the old primary's settings (shared_buffers, max_connections,",
            "# listen_addresses, port, ...) before this server takes the load.",
            "");
    static final String PG_HBA_CONF = String.join("\n",
            "# written by barmand restore: the backup has no pg_hba.conf. Local connections only, each OS user as the",
            "# role of its name; bring back the old primary's rules before clients connect.",
            "local all all peer",
            "");

    /**
     * Writes postgresql.conf, pg_hba.conf and pg_ident.conf where the backup has none (a Debian cluster keeps them
     * under /etc), so that {@code pg_ctl -D DIR start} and {@code pg_createcluster -d DIR} take the folder. Returns
     * the names written.
     */
    static List<String> missingConfigFiles(Path dir) throws IOException {
        List<String> written = new ArrayList<>();
        for (String[] f : new String[][] {{"postgresql.conf", POSTGRESQL_CONF}, {"pg_hba.conf", PG_HBA_CONF},
                {"pg_ident.conf", "# written by barmand restore: the backup has no pg_ident.conf\n"}}) {
            Path p = dir.resolve(f[0]);
            if (!Files.exists(p)) {
                Files.writeString(p, f[1], StandardOpenOption.CREATE_NEW);
                written.add(f[0]);
            }
        }
        return written;
    }
}
