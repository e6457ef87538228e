package io.barmand.config;

import com.typesafe.config.Config;
import io.barmand.vocabulary.RestoreSource;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code restore-test} block of one server (defaults overridden by the server's block), read and checked
 * once at start; every problem names its key. Schedule and timeout are the core's {@code JobSettings}.
 */
public record RestoreSettings(String server, RestoreSource source, String backupId, Target target, Path scratchDir,
                              String runAs, Path pgBinDir, String superuser, int portFrom, int portTo,
                              boolean keepOnFailure, double diskMargin, Verify verify, Canary canary,
                              Optional<ScratchHost> scratchHost) {

    /** A scratch host reached over SSH as {@code user} with {@code keyFile}; its host key must be in {@code knownHosts}. */
    public record ScratchHost(String host, int port, String user, Path keyFile, Path knownHosts) {
    }

    private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
    private static final Pattern TABLE = Pattern.compile("[^:]+:[^.]+\\.[^.]+");

    /** Where recovery stops: the end of the archived WAL, a time, an LSN, or a time relative to the run. */
    public record Target(String kind, Optional<Instant> time, Optional<String> lsn, Optional<Duration> ago) {
        public static final Target END = new Target("end-of-wal", Optional.empty(), Optional.empty(), Optional.empty());

        public boolean pointInTime() {
            return !kind.equals("end-of-wal");
        }

        /** The target time of this run, if the target is a time. */
        public Optional<Instant> timeAt(Instant runStart) {
            return ago.map(runStart::minus).or(() -> time);
        }

        /** The text form, as the config key {@code target} and {@code --target} take it. */
        public String spec() {
            return switch (kind) {
                case "time" -> "time:" + time.orElseThrow();
                case "lsn" -> "lsn:" + lsn.orElseThrow();
                case "ago" -> "ago:" + ago.orElseThrow().toSeconds() + "s";
                default -> kind;
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case "time" -> "time " + time.orElseThrow();
                case "lsn" -> "lsn " + lsn.orElseThrow();
                case "ago" -> "time now-" + ago.orElseThrow();
                default -> kind;
            };
        }
    }

    /** A SQL assertion: the first column of the first row of {@code query}, as text, must equal {@code expect}. */
    public record Assertion(String name, String database, String query, String expect) {
    }

    /** Tables are "database:schema.table". */
    /**
     * @param manifest pg_verifybackup of the recovered folder against the backup's backup_manifest, before the start
     * @param checksums pg_checksums --check of the cleanly stopped instance, when the cluster has data checksums
     */
    public record Verify(boolean amcheck, List<String> amcheckOptions, List<String> tables, List<Assertion> assertions,
                         boolean manifest, boolean checksums) {
        public Verify(boolean amcheck, List<String> amcheckOptions, List<String> tables, List<Assertion> assertions) {
            this(amcheck, amcheckOptions, tables, assertions, true, true);
        }

    }

    public record Canary(boolean enabled, String jdbcUrl, String user, Optional<Path> passwordFile, String database,
                         String schema, String table, Duration timeout) {
        public String qualified() {
            return "\"" + schema.replace("\"", "\"\"") + "\".\"" + table.replace("\"", "\"\"") + "\"";
        }
    }

    static RestoreSettings parse(String server, Config c, String key, String where, List<String> problems) {
        return parse(server, c, key, where, problems, true);
    }

    static RestoreSettings parse(String server, Config c, String key, String where, List<String> problems, boolean checkBinaries) {
        int before = problems.size();
        try {
            String sourceWord = c.getString("source");
            RestoreSource source = RestoreSource.of(sourceWord).orElse(null);
            if (source == null) {
                problems.add(where + ": " + key + ".source: must be \"barman\" or \"s3\", is \"" + sourceWord + "\"");
            } else if (source == RestoreSource.S3 && !c.getString("scratch-host.host").isBlank()) {
                problems.add(where + ": " + key + ".source: \"s3\" restores on this host only, not on scratch-host "
                        + c.getString("scratch-host.host"));
            }
            String backupId = c.getString("backup-id").trim();
            if (backupId.isEmpty()) {
                problems.add(where + ": " + key + ".backup-id: must be \"latest\" or a Barman backup id");
            }
            Target target = target(c.getString("target").trim(), key, where, problems);
            Path scratch = Path.of(c.getString("scratch-dir"));
            if (!scratch.isAbsolute() || scratch.getNameCount() < 2) {
                problems.add(where + ": " + key + ".scratch-dir: must be an absolute path at least two levels deep");
            }
            String runAs = c.getString("run-as").trim();
            if (runAs.isEmpty() || runAs.equals("root")) {
                problems.add(where + ": " + key + ".run-as: must name a non-root OS user (PostgreSQL refuses to run as root)");
            }
            Path pgBin = Path.of(c.getString("pg-bin-dir"));
            for (String tool : checkBinaries && c.getString("scratch-host.host").isBlank() ? List.of("pg_ctl", "pg_amcheck", "pg_verifybackup", "pg_checksums") : List.<String>of()) {
                if (!pgBin.resolve(tool).toFile().canExecute()) {
                    problems.add(where + ": " + key + ".pg-bin-dir: " + pgBin.resolve(tool) + " is missing or not executable");
                }
            }
            String superuser = c.getString("superuser").trim();
            String range = c.getString("port-range").trim();
            int from = 0;
            int to = 0;
            try {
                String[] p = range.split("-", 2);
                from = Integer.parseInt(p[0].trim());
                to = p.length == 2 ? Integer.parseInt(p[1].trim()) : from;
                if (from < 1024 || to > 65535 || from > to) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(where + ": " + key + ".port-range: must be \"FROM-TO\" (or one port) within 1024-65535, is \"" + range + "\"");
            }
            double margin = c.getDouble("disk-margin");
            if (margin < 1.0) {
                problems.add(where + ": " + key + ".disk-margin: must be at least 1.0 (free space / backup size with WAL)");
            }
            Config v = c.getConfig("verify");
            List<String> tables = v.getStringList("tables");
            for (String t : tables) {
                if (!TABLE.matcher(t).matches()) {
                    problems.add(where + ": " + key + ".verify.tables: \"" + t + "\" is not \"database:schema.table\"");
                }
            }
            List<Assertion> assertions = new ArrayList<>();
            int i = 0;
            for (Config a : v.getConfigList("assertions")) {
                String ak = key + ".verify.assertions[" + i++ + "]";
                for (String k : List.of("name", "query", "expect")) {
                    if (!a.hasPath(k)) {
                        problems.add(where + ": " + ak + "." + k + ": missing");
                    }
                }
                if (a.hasPath("name") && a.hasPath("query") && a.hasPath("expect")) {
                    assertions.add(new Assertion(a.getString("name"), a.hasPath("database") ? a.getString("database") : "postgres",
                            a.getString("query"), a.getString("expect")));
                }
            }
            Verify verify = new Verify(v.getBoolean("amcheck"), v.getStringList("amcheck-options"), tables, assertions,
                    v.getBoolean("manifest"), v.getBoolean("checksums"));
            Config k = c.getConfig("canary");
            String pw = k.getString("password-file");
            Canary canary = new Canary(k.getBoolean("enabled"), k.getString("jdbc-url"), k.getString("user"),
                    pw.isBlank() ? Optional.empty() : Optional.of(Path.of(pw)), k.getString("database"),
                    k.getString("schema"), k.getString("table"), k.getDuration("timeout"));
            if (canary.enabled()) {
                if (!canary.jdbcUrl().startsWith("jdbc:postgresql:")) {
                    problems.add(where + ": " + key + ".canary.jdbc-url: must be a jdbc:postgresql: URL when the canary is enabled");
                }
                // as the S3 and SMTP secrets: readable by barmand, by no one else
                canary.passwordFile().flatMap(OffsiteSettings::credentialsFileProblem).ifPresent(m ->
                        problems.add(where + ": " + key + ".canary.password-file: " + m));
            }
            Config sh = c.getConfig("scratch-host");
            Optional<ScratchHost> scratchHost = Optional.empty();
            if (!sh.getString("host").isBlank()) {
                String kf = sh.getString("key-file");
                String kh = sh.getString("known-hosts");
                if (kf.isBlank() || !Path.of(kf).toFile().canRead()) {
                    problems.add(where + ": " + key + ".scratch-host.key-file: must name a readable private key file, is \"" + kf + "\"");
                }
                if (kh.isBlank() || !Path.of(kh).toFile().canRead()) {
                    problems.add(where + ": " + key + ".scratch-host.known-hosts: must name a readable known_hosts file holding the "
                            + "scratch host's key (it is never accepted unseen), is \"" + kh + "\"");
                }
                int sp = sh.getInt("port");
                if (sp < 1 || sp > 65535) {
                    problems.add(where + ": " + key + ".scratch-host.port: must be 1-65535");
                }
                if (sh.getString("user").isBlank()) {
                    problems.add(where + ": " + key + ".scratch-host.user: must not be empty");
                }
                scratchHost = Optional.of(new ScratchHost(sh.getString("host"), sp, sh.getString("user"), Path.of(kf), Path.of(kh)));
            }
            if (problems.size() > before) {
                return null;
            }
            return new RestoreSettings(server, source, backupId, target, scratch, runAs, pgBin, superuser, from, to,
                    c.getBoolean("keep-on-failure"), margin, verify, canary, scratchHost);
        } catch (ConfigException e) {
            problems.add(where + ": " + key + Values.explain(e));
            return null;
        }
    }

    /** The accepted forms of {@code target} (config key and {@code run-now restore-test --target}). */
    public static final String TARGET_FORMS = "\"end-of-wal\", \"time:2026-11-24T01:00:00Z\" (ISO-8601 with offset), "
            + "\"ago:30m\" or \"lsn:0/3000060\"";

    /** A Barman backup id as {@code backup-id} (config key and {@code run-now restore-test --backup-id}) accepts. */
    public static boolean backupId(String id) {
        return id.equals("latest") || id.matches("[0-9]{8}T[0-9]{6}");
    }

    /** These settings with another target and backup id, for one run ({@code run-now restore-test --target/--backup-id}). */
    public RestoreSettings forRun(String otherBackupId, Target otherTarget) {
        return new RestoreSettings(server, source, otherBackupId, otherTarget, scratchDir, runAs, pgBinDir, superuser,
                portFrom, portTo, keepOnFailure, diskMargin, verify, canary, scratchHost);
    }

    /** These settings reading from another source, for one run ({@code --from}, {@code s3.schedule}). */
    public RestoreSettings withSource(RestoreSource otherSource) {
        return new RestoreSettings(server, otherSource, backupId, target, scratchDir, runAs, pgBinDir, superuser,
                portFrom, portTo, keepOnFailure, diskMargin, verify, canary, scratchHost);
    }

    /** Parses a target as the config key {@code target} takes it; empty when it is none of {@link #TARGET_FORMS}. */
    public static Optional<Target> parseTarget(String t) {
        List<String> problems = new ArrayList<>();
        Target target = target(t.trim(), "", "", problems);
        return problems.isEmpty() ? Optional.of(target) : Optional.empty();
    }

    static Target target(String t, String key, String where, List<String> problems) {
        if (t.equals("end-of-wal")) {
            return Target.END;
        }
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        String val = colon < 0 ? "" : t.substring(colon + 1).trim();
        try {
            switch (kind) {
                case "time":
                    return new Target("time", Optional.of(OffsetDateTime.parse(val).toInstant()), Optional.empty(), Optional.empty());
                case "ago":
                    Duration d = com.typesafe.config.ConfigFactory.parseString("d = " + val).getDuration("d");
                    return new Target("ago", Optional.empty(), Optional.empty(), Optional.of(d));
                case "lsn":
                    if (LSN.matcher(val).matches()) {
                        return new Target("lsn", Optional.empty(), Optional.of(val), Optional.empty());
                    }
                    break;
                default:
                    break;
            }
        } catch (DateTimeParseException | ConfigException e) {
            // reported below
        }
        problems.add(where + ": " + key + ".target: must be " + TARGET_FORMS + ", is \"" + t + "\"");
        return Target.END;
    }
}
