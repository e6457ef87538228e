package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.log.LogOutput;
import io.barmand.vocabulary.RestoreSource;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * barmand's configuration, read once and checked completely: every problem is collected as
 * "FILE: key: what is wrong" and reported together in one {@link BarmandException} of category CONFIG.
 */
public final class Settings {
    public static final String ROOT = "barmand";
    public static final String OFF = "off";
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|access-key|key-id).*");

    private final Path file;
    private final List<Path> included;
    private final List<Path> read;
    private final Path barmanBinary;
    private final Optional<Path> barmanConfigFile;
    private final Duration probeTimeout;
    private final Path stateDir;
    private final Path controlSocket;
    private final Duration shutdownTimeout;
    private final Duration stopWait;
    private final Duration killGrace;
    private final LogOutput logOutput;
    private final Map<String, ServerSettings> servers;
    private final SchedulerSettings scheduler;
    private final Duration historyKeep;
    private final Map<JobKind, JobSettings> hostJobs;
    private final ZoneId hostTimezone;
    private final MailSettings mail;
    private final ReportSettings report;
    private final MetricsSettings metrics;
    private final List<WebhookSettings> webhooks;
    private final List<String> webhookWarnings;
    private final FleetSettings fleet;
    private final Config effective;

    private Settings(Path file, List<Path> included, List<Path> read, Config c, Map<String, ServerSettings> servers, Map<JobKind, JobSettings> hostJobs,
                     ZoneId hostTimezone, MailSettings mail, ReportSettings report, MetricsSettings metrics,
                     List<WebhookSettings> webhooks, List<String> webhookWarnings, FleetSettings fleet) {
        this.file = file;
        this.fleet = fleet;
        this.webhooks = List.copyOf(webhooks);
        this.webhookWarnings = List.copyOf(webhookWarnings);
        this.included = List.copyOf(included);
        this.read = List.copyOf(read);
        this.mail = mail;
        this.report = report;
        this.metrics = metrics;
        this.effective = c;
        this.barmanBinary = Path.of(c.getString("barman.binary"));
        String cf = c.getString("barman.config-file");
        this.barmanConfigFile = cf.isBlank() ? Optional.empty() : Optional.of(Path.of(cf));
        this.probeTimeout = c.getDuration("barman.probe-timeout");
        this.stateDir = Path.of(c.getString("state-dir"));
        this.controlSocket = Path.of(c.getString("control-socket"));
        this.shutdownTimeout = c.getDuration("shutdown-timeout");
        this.stopWait = c.getDuration("stop-wait");
        this.killGrace = c.getDuration("kill-grace");
        this.logOutput = LogOutput.of(c.getString("log.output"));
        this.servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
        this.historyKeep = c.getDuration("history.keep");
        this.hostJobs = Collections.unmodifiableMap(new EnumMap<>(hostJobs));
        this.hostTimezone = hostTimezone;
        this.scheduler = new SchedulerSettings(c.getInt("scheduler.threads"), c.getDuration("scheduler.misfire-threshold"),
                c.getInt("scheduler.max-heavy-runs"), c.getInt("scheduler.max-light-runs"));
    }

    /**
     * Reads and validates {@code file}. {@code catalog} is asked which servers Barman knows; pass null to skip
     * that probe (commands that only read the history).
     */
    public static Settings load(Path file, ServerCatalog catalog) {
        return load(file, catalog, true);
    }

    /**
     * Reads and validates {@code file} for a command that never runs Barman ({@code restore --from s3},
     * {@code wal-restore}): barman.binary and barman.config-file are not checked, so that the file of a host
     * without Barman, or the backup host's own file copied to a new host on disaster day, is taken as it is.
     */
    public static Settings loadWithoutBarman(Path file) {
        return load(file, null, false);
    }

    private static Settings load(Path file, ServerCatalog catalog, boolean barmanNeeded) {
        List<String> problems = new ArrayList<>();
        String where = file.toString();
        Config reference = ConfigFactory.parseResources(Settings.class.getClassLoader(), "reference.conf");
        // the main file, then conf.d/*.conf by name, a later file winning; each read and its keys checked on its own
        List<Path> files = ConfigFiles.of(file);
        Config user = ConfigFactory.empty();
        List<Path> includes = new ArrayList<>(); // what HOCON's `include` read
        for (Path f : files) {
            user = parse(f, reference, f.equals(file), includes, problems).withFallback(user);
        }
        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new BarmandException(Category.CONFIG, fileOf(e, files, file) + ": " + withoutOrigin(e) + line(e.origin()), e);
        }
        try {
            merged.checkValid(reference, ROOT);
        } catch (ConfigException.ValidationFailed e) {
            // in our words; the default takes the wrong value's place, so that the rest of the file is still checked
            for (ConfigException.ValidationProblem p : e.problems()) {
                problems.add(where + ": " + p.path() + Values.wrongType(merged, reference, p.path()) + line(p.origin()));
                merged = reference.hasPath(p.path()) ? merged.withValue(p.path(), reference.getValue(p.path())) : merged.withoutPath(p.path());
            }
        }
        merged = Values.check(where, merged, reference, problems);
        Config c = merged.getConfig(ROOT);
        // scalar settings
        for (String d : List.of("barman.probe-timeout", "shutdown-timeout", "kill-grace", "scheduler.misfire-threshold",
                "history.keep")) {
            duration(where, c, d, problems);
        }
        try {
            if (c.getDuration("stop-wait").isNegative()) {
                problems.add(where + ": " + ROOT + ".stop-wait = " + Values.render(c.getValue("stop-wait"))
                        + ": must be 0s (no wait) or a positive duration such as 30m or 6h" + line(c.getValue("stop-wait").origin()));
            }
        } catch (ConfigException e) {
            problems.add(where + ": " + ROOT + ".stop-wait: must be a duration such as 30m or 6h" + line(c.getValue("stop-wait").origin()));
        }
        range(where, c, "scheduler.threads", 1, 64, ROOT, problems);
        range(where, c, "scheduler.max-heavy-runs", 1, 64, ROOT, problems);
        range(where, c, "scheduler.max-light-runs", 1, 256, ROOT, problems);
        if (barmanNeeded) {
            HostProbes.barmanFiles(where, c, problems);
        }
        if (LogOutput.of(c.getString("log.output")) == null) {
            problems.add(where + ": " + ROOT + ".log.output: must be auto, journal or console, is \""
                    + c.getString("log.output") + "\"" + line(c.getValue("log.output").origin()));
        }
        for (String p : List.of("state-dir", "control-socket")) {
            if (!Path.of(c.getString(p)).isAbsolute()) {
                problems.add(where + ": " + ROOT + "." + p + ": must be an absolute path");
            }
        }
        Path stateDir = Path.of(c.getString("state-dir"));
        // servers: each block = defaults overridden by the block
        Config defaults = c.getConfig("defaults");
        Map<String, ServerSettings> servers = new LinkedHashMap<>();
        Schedule.Parser schedules = new Schedule.Parser(java.time.Instant.now());
        ConfigObject serversObj = c.getObject("servers");
        for (String name : new TreeSet<>(serversObj.keySet())) {
            ConfigValue v = serversObj.get(name);
            String keyPath = ROOT + ".servers." + ConfigUtil.quoteString(name).replaceAll("^\"([A-Za-z0-9_-]+)\"$", "$1");
            Optional<String> bad = Names.serverProblem(name);
            if (bad.isPresent()) {
                // before anything else: a name that is no file name would reach the state dir's paths
                problems.add(where + ": " + keyPath + ": " + bad.get() + line(v.origin()));
                continue;
            }
            if (v.valueType() != ConfigValueType.OBJECT) {
                problems.add(where + ": " + keyPath + ": must be a block { ... }, is " + v.valueType().name().toLowerCase() + line(v.origin()));
                continue;
            }
            Config block = ((ConfigObject) v).toConfig();
            // an empty block is `defaults` itself, checked with the root: only a block with keys of its own is checked
            Config s = block.isEmpty() ? defaults : block.withFallback(defaults);
            try {
                if (!block.isEmpty()) {
                    s.checkValid(defaults);
                }
            } catch (ConfigException.ValidationFailed e) {
                for (ConfigException.ValidationProblem p : e.problems()) {
                    problems.add(where + ": " + keyPath + "." + p.path() + Values.wrongType(s, defaults, p.path()) + line(p.origin()));
                }
                continue;
            }
            ServerSettings ss = server(where, keyPath, name, s, stateDir, schedules, problems);
            if (ss != null) {
                servers.put(name, ss);
            }
        }
        // no server is no error: the package's file names none, and the daemon idles until one is named (warnings())
        if (catalog != null) {
            HostProbes.knownServers(where, c, catalog, servers.keySet(), serversObj, problems);
        }
        // jobs of the host: each from its own block, in defaults.timezone
        ZoneId hostZone = ZoneId.of("UTC");
        try {
            hostZone = ZoneId.of(c.getString("defaults.timezone"));
        } catch (DateTimeException e) {
            // reported with the servers that inherit it
        }
        Map<JobKind, JobSettings> hostJobs = new EnumMap<>(JobKind.class);
        hostJobs.put(JobKind.PRUNE_HISTORY, hostJob(where, c, JobKind.PRUNE_HISTORY, "history.prune", hostZone, schedules, problems));
        hostJobs.put(JobKind.REPORT, hostJob(where, c, JobKind.REPORT, "report", hostZone, schedules, problems));
        // the report, health, alerts, mail and metrics blocks
        List<String> more = new ArrayList<>();
        String host = HostProbes.localHostName();
        MailSettings mail = MailSettings.read(c, host, more);
        ReportSettings report = ReportSettings.read(c, host, more);
        MetricsSettings metrics = MetricsSettings.read(c, more);
        FleetSettings fleet = FleetSettings.read(c, host, more);
        List<String> warnings = new ArrayList<>();
        List<WebhookSettings> webhooks = WebhookSettings.readAll(c, more, warnings);
        for (String m : more) {
            String key = m.substring(0, m.indexOf(": "));
            String rel = key.substring(ROOT.length() + 1);
            // a list's element (alerts.webhooks[0].url) names its own line
            problems.add(where + ": " + m + (!rel.contains("[") && c.hasPath(rel) ? line(c.getValue(rel).origin()) : ""));
        }
        if (!problems.isEmpty()) {
            throw configError(Problems.inFileOrder(ConfigFiles.attribute(problems, file, files, user), files, merged));
        }
        List<Path> read = new ArrayList<>(files);
        read.addAll(includes);
        return new Settings(file, files.subList(1, files.size()), read, c, servers, hostJobs, hostZone, mail, report, metrics,
                webhooks, warnings.stream().map(w -> where + ": " + w).toList(), fleet);
    }

    /**
     * One file of the configuration, its old names moved to the new ones and its keys checked against reference.conf
     * (problems named with this file). An included file may be empty; the main file must define {@code barmand}.
     */
    private static Config parse(Path f, Config reference, boolean main, List<Path> includes, List<String> problems) {
        String where = f.toString();
        Optional<String> unreadable = ConfigFiles.unreadable(f);
        if (unreadable.isPresent()) {
            throw new BarmandException(Category.CONFIG, where + ": cannot read the configuration file (" + unreadable.get() + ")");
        }
        Config one;
        try {
            one = ConfigFactory.parseFile(f.toFile(), Includes.options(f, includes, problems));
        } catch (ConfigException e) {
            throw new BarmandException(Category.CONFIG, where + ": not valid HOCON: " + withoutOrigin(e) + line(e.origin()), e);
        }
        one = Aliases.apply(one, where, problems);
        if (main || !one.root().isEmpty()) {
            KnownKeys.check(where, one, reference, problems);
        }
        return one;
    }

    /** The file an error of Typesafe's is in (a substitution may come from any of them); the main file when unknown. */
    private static Path fileOf(ConfigException e, List<Path> files, Path main) {
        Path f = ConfigFiles.file(e.origin(), files);
        return f == null ? main : f;
    }

    private static ServerSettings server(String where, String keyPath, String name, Config s, Path stateDir,
                                         Schedule.Parser schedules, List<String> problems) {
        ZoneId zone = null;
        String tz = s.getString("timezone");
        try {
            zone = ZoneId.of(tz);
        } catch (DateTimeException e) {
            problems.add(where + ": " + keyPath + ".timezone: unknown time zone \"" + tz + "\"" + line(s.getValue("timezone").origin()));
        }
        Map<JobKind, JobSettings> jobs = new EnumMap<>(JobKind.class);
        for (JobKind k : JobKind.values()) {
            if (!s.hasPath(k.id())) {
                continue; // a kind configured elsewhere (its own block), not a per-server schedule
            }
            Config j = s.getConfig(k.id());
            String key = keyPath + "." + k.id();
            Optional<Schedule> schedule = schedule(where, key, j, zone == null ? ZoneId.of("UTC") : zone, schedules, problems);
            Duration timeout = duration(where, j, "timeout", problems, key);
            Duration archiveTimeout = j.hasPath("archive-timeout") ? duration(where, j, "archive-timeout", problems, key) : Duration.ZERO;
            boolean catchUp = j.hasPath("catch-up") && j.getBoolean("catch-up");
            boolean force = j.hasPath("force") && j.getBoolean("force");
            RetryPolicy retry = RetryPolicy.NONE;
            if (j.hasPath("retry")) {
                int max = range(where, j, "retry.max", 0, 10, key, problems);
                Duration after = duration(where, j, "retry.after", problems, key);
                retry = new RetryPolicy(max, after);
            }
            jobs.put(k, new JobSettings(k, schedule, timeout, catchUp, archiveTimeout, force, retry));
        }
        // the blocks of offsite and restore-test, whose problems join the others ("FILE: key: what")
        List<String> offsiteProblems = new ArrayList<>();
        OffsiteSettings offsite = OffsiteSettings.read(s, keyPath, stateDir, offsiteProblems);
        offsiteProblems.forEach(p -> problems.add(where + ": " + p));
        JobSettings offsiteJob = jobs.get(JobKind.OFFSITE);
        if (offsite != null && !offsite.enabled() && offsiteJob != null && offsiteJob.enabled()) {
            problems.add(where + ": " + keyPath + ".offsite.schedule: is set but offsite.enabled = false"
                    + line(s.getValue("offsite.schedule").origin()));
        }
        JobSettings restoreJob = jobs.get(JobKind.RESTORE_TEST);
        // the restore test's second schedule: the same test from the offsite copy (restore-test.s3.schedule)
        String s3Key = keyPath + ".restore-test.s3";
        Optional<Schedule> fromS3 = schedule(where, s3Key, s.getConfig("restore-test.s3"),
                zone == null ? ZoneId.of("UTC") : zone, schedules, problems);
        // a backup host may lack the server binaries: they are required only where restore tests are scheduled
        // (a run-now without them fails the run, naming them)
        RestoreSettings restore = RestoreSettings.parse(name, s.getConfig("restore-test"), keyPath + ".restore-test",
                where, problems, restoreJob != null && restoreJob.enabled() || fromS3.isPresent());
        if (restore != null && restore.source() == RestoreSource.S3 && !s.getBoolean("offsite.enabled")) {
            problems.add(where + ": " + keyPath + ".restore-test.source: \"s3\" reads the server's offsite copy, but "
                    + keyPath + ".offsite.enabled is false (set it, with the offsite bucket)"
                    + line(s.getValue("restore-test.source").origin()));
            restore = null;
        }
        if (fromS3.isPresent()) {
            String at = line(s.getValue("restore-test.s3.schedule").origin());
            String scratchHost = s.getString("restore-test.scratch-host.host");
            if (!s.getBoolean("offsite.enabled")) {
                problems.add(where + ": " + s3Key + ".schedule: a restore test from the offsite copy, but " + keyPath
                        + ".offsite.enabled is false (turn offsite copies on, or set it \"off\")" + at);
            } else if (restore != null && restore.source() == RestoreSource.S3) {
                problems.add(where + ": " + s3Key + ".schedule: is the second schedule, from S3, of a restore test whose "
                        + "source is already \"s3\" (set " + keyPath + ".restore-test.source = \"barman\" for the tests "
                        + "from Barman, or set this \"off\")" + at);
            } else if (!scratchHost.isBlank()) {
                problems.add(where + ": " + s3Key + ".schedule: a restore test from S3 runs on this host only, not on "
                        + keyPath + ".restore-test.scratch-host " + scratchHost + " (set it \"off\", or empty scratch-host.host)" + at);
            }
        }
        // retention: its policies; a schedule without it on is a mistake
        Optional<RetentionSettings> retention = Optional.empty();
        if (zone != null && offsite != null) {
            List<String> rp = new ArrayList<>();
            JobSettings backupJob = jobs.get(JobKind.BACKUP);
            retention = RetentionSettings.read(s, keyPath, zone, offsite.enabled(),
                    backupJob == null ? Optional.empty() : backupJob.schedule(), rp);
            rp.forEach(p -> problems.add(where + ": " + p));
        }
        if (offsite != null && offsite.enabled() && offsite.objectLock() != OffsiteSettings.LockMode.OFF
                && retention.flatMap(RetentionSettings::s3).isEmpty()) {
            problems.add(where + ": " + keyPath + ".offsite.object-lock.mode: \"" + offsite.objectLock().word()
                    + "\" sets each lock from the S3 retention policy, but retention is off: set " + keyPath
                    + ".retention.enabled = true (with its s3 policy), or object-lock.mode = \"off\""
                    + line(s.getValue("offsite.object-lock.mode").origin()));
        }
        JobSettings retentionJob = jobs.get(JobKind.RETENTION);
        if (!s.getBoolean("retention.enabled") && retentionJob != null && retentionJob.enabled()) {
            problems.add(where + ": " + keyPath + ".retention.schedule: is set but retention.enabled = false"
                    + line(s.getValue("retention.schedule").origin()));
        }
        return zone == null || offsite == null || restore == null ? null
                : new ServerSettings(name, zone, jobs, offsite, restore, retention, fromS3);
    }

    /** A job of the host from its block ({@code path}: schedule, timeout). */
    private static JobSettings hostJob(String where, Config c, JobKind kind, String path, ZoneId zone,
                                       Schedule.Parser schedules, List<String> problems) {
        Config j = c.getConfig(path);
        String key = ROOT + "." + path;
        Optional<Schedule> schedule = schedule(where, key, j, zone, schedules, problems);
        return new JobSettings(kind, schedule, duration(where, j, "timeout", problems, key), false, Duration.ZERO, false,
                RetryPolicy.NONE);
    }

    /** {@code KEY.schedule} of a job's block: empty when "off"; a problem in the admin's words when it cannot run. */
    private static Optional<Schedule> schedule(String where, String key, Config job, ZoneId zone, Schedule.Parser schedules,
                                               List<String> problems) {
        String sched = job.getString("schedule").trim();
        if (sched.equalsIgnoreCase(OFF)) {
            return Optional.empty();
        }
        try {
            return Optional.of(schedules.parse(sched, zone));
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + key + ".schedule = \"" + sched + "\": " + e.getMessage() + line(job.getValue("schedule").origin()));
            return Optional.empty();
        }
    }

    private static Duration duration(String where, Config c, String path, List<String> problems) {
        return duration(where, c, path, problems, ROOT);
    }

    private static Duration duration(String where, Config c, String path, List<String> problems, String prefix) {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                problems.add(where + ": " + prefix + "." + path + " = " + Values.render(c.getValue(path))
                        + ": must be a positive duration such as 30s, 5m or 6h" + line(c.getValue(path).origin()));
            }
            return d;
        } catch (ConfigException e) {
            problems.add(where + ": " + prefix + "." + path + ": must be a duration such as 30s, 5m or 6h" + line(c.getValue(path).origin()));
            return Duration.ofSeconds(1);
        }
    }

    private static int range(String where, Config c, String path, int min, int max, String prefix, List<String> problems) {
        try {
            int v = c.getInt(path);
            if (v < min || v > max) {
                problems.add(where + ": " + prefix + "." + path + ": must be between " + min + " and " + max + ", is " + v
                        + line(c.getValue(path).origin()));
            }
            return v;
        } catch (ConfigException e) {
            problems.add(where + ": " + prefix + "." + path + ": must be a whole number between " + min + " and " + max
                    + line(c.getValue(path).origin()));
            return min;
        }
    }

    /** Typesafe's message without the "FILE: N: " it starts with (the file and line are ours to say). */
    private static String withoutOrigin(ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null && m.startsWith(e.origin().description() + ": ")) {
            m = m.substring(e.origin().description().length() + 2);
        }
        return m;
    }

    static String line(com.typesafe.config.ConfigOrigin o) {
        return o != null && o.lineNumber() > 0 ? " (line " + o.lineNumber() + ")" : "";
    }

    private static BarmandException configError(List<String> problems) {
        return new BarmandException(Category.CONFIG, String.join("\n", problems));
    }

    /** The effective configuration as HOCON, with anything that looks like a secret masked. */
    public String dump() {
        return ConfigFactory.empty().withValue(ROOT, mask(effective.root(), true)).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }

    /**
     * The effective configuration as HOCON ({@link LastGood}: a file that loads again). It holds what the file holds,
     * paths to secret files included, never a secret itself: a password inside a URL is masked.
     */
    String render() {
        return ConfigFactory.empty().withValue(ROOT, mask(effective.root(), false)).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }

    /** The same on one line (JSON), for the log. */
    public String dumpOneLine() {
        return ConfigFactory.empty().withValue(ROOT, mask(effective.root(), true)).root().render(ConfigRenderOptions.concise());
    }

    /** {@code secrets}: mask the values of keys that look like a secret too; a password inside a URL always. */
    private static ConfigValue mask(ConfigObject o, boolean secrets) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            ConfigValue v = e.getValue();
            if (v instanceof ConfigObject co) {
                out.put(e.getKey(), mask(co, secrets).unwrapped());
            } else if (v instanceof com.typesafe.config.ConfigList l) {
                out.put(e.getKey(), l.stream().map(x -> x instanceof ConfigObject xo ? maskElement(xo, secrets) : x.unwrapped()).toList());
            } else if (secrets && SECRET.matcher(e.getKey()).matches() && !String.valueOf(v.unwrapped()).isEmpty()) {
                out.put(e.getKey(), "********");
            } else if (e.getKey().endsWith("url") && v.valueType() == ConfigValueType.STRING) {
                out.put(e.getKey(), maskUrl((String) v.unwrapped()));
            } else {
                out.put(e.getKey(), v.unwrapped());
            }
        }
        return ConfigValueFactory.fromMap(out);
    }

    /** A block in a list (alerts.webhooks): its url shown without its path when secrets are masked (Slack's is a token). */
    private static Object maskElement(ConfigObject o, boolean secrets) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) mask(o, secrets).unwrapped());
        if (secrets && m.get("url") instanceof String u) {
            try {
                m.put("url", WebhookSettings.masked(new java.net.URI(u)));
            } catch (java.net.URISyntaxException | RuntimeException e) {
                m.put("url", "********");
            }
        }
        return m;
    }

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/@:?#]*:)[^/@?#]*@");

    /** A URL with its password ({@code ?password=...}, {@code //user:password@host}) as ********. */
    static String maskUrl(String url) {
        String m = URL_PASSWORD.matcher(url).replaceAll("$1********");
        return URL_USERINFO.matcher(m).replaceAll("$1********@");
    }

    public Path file() { return file; }
    /** The files of conf.d read after {@link #file()}, in the order they were merged. */
    public List<Path> included() { return included; }
    /** Every file the configuration was read from: the main file, conf.d's, and what their {@code include}s read. */
    public List<Path> filesRead() { return read; }
    /** The files the settings name ({@code ...-file} keys with an absolute path: secrets, barman.config-file). */
    public List<Path> filesNamed() {
        List<Path> out = new ArrayList<>();
        effective.entrySet().forEach(e -> {
            if (e.getKey().endsWith("-file") && e.getValue().valueType() == ConfigValueType.STRING) {
                String v = (String) e.getValue().unwrapped();
                if (v.startsWith("/")) {
                    out.add(Path.of(v));
                }
            }
        });
        return out.stream().distinct().sorted().toList();
    }

    public Path barmanBinary() { return barmanBinary; }
    public Optional<Path> barmanConfigFile() { return barmanConfigFile; }
    public Duration probeTimeout() { return probeTimeout; }
    public Path stateDir() { return stateDir; }
    public Path controlSocket() { return controlSocket; }
    public Duration shutdownTimeout() { return shutdownTimeout; }
    /** On a stop, how long a running backup, offsite copy or retention run is waited for before it is interrupted. */
    public Duration stopWait() { return stopWait; }
    public Duration killGrace() { return killGrace; }
    /** Where log lines go (barmand.log.output), applied by {@code run} once the file is read. */
    public LogOutput logOutput() { return logOutput; }
    public Map<String, ServerSettings> servers() { return servers; }
    public SchedulerSettings scheduler() { return scheduler; }
    /** How long ended runs stay in the history. */
    public Duration historyKeep() { return historyKeep; }
    /** The jobs of the host (not of a server), by kind. */
    public Map<JobKind, JobSettings> hostJobs() { return hostJobs; }
    /** The time zone of the host jobs' schedules (defaults.timezone). */
    public ZoneId hostTimezone() { return hostTimezone; }

    /** How mail leaves this host (reports, alerts). */
    public MailSettings mail() { return mail; }

    /**
     * What is allowed but probably not meant, in the same words for {@code check-config} (exit 0, a warning line) and
     * the daemon's log: no server (the daemon idles, no job scheduled, the report's included), no mail.to.
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (servers.isEmpty()) {
            out.add(ROOT + ".servers: no server configured: barmand schedules no job (the report's included) until a "
                    + "block names a Barman server, e.g. " + file.resolveSibling("conf.d").resolve("pg1.conf")
                    + " holding barmand.servers.pg1 {}, then systemctl reload barmand");
        }
        if (!mail.enabled()) {
            out.add(ROOT + ".mail.to is empty: reports are kept in " + stateDir.resolve("reports")
                    + " only, and no alert is mailed" + (webhooks.isEmpty() ? "" : " (they are posted to alerts.webhooks)"));
        }
        out.addAll(webhookWarnings); // "FILE: barmand.alerts.webhooks[N].url: plain http to another host ..."
        return out;
    }
    /** What the report covers, what counts as a problem, how alerts are paced. */
    public ReportSettings report() { return report; }
    /** Where alerts are posted besides mail (alerts.webhooks). */
    public List<WebhookSettings> webhooks() { return webhooks; }
    /** The fleet: the state database (none when state.url is empty), this node's name, its heartbeat. */
    public FleetSettings fleet() { return fleet; }
    /** The Prometheus endpoint and textfile. */
    public MetricsSettings metrics() { return metrics; }

    /** The offsite block of every server, by name. */
    public Map<String, OffsiteSettings> offsite() {
        Map<String, OffsiteSettings> m = new LinkedHashMap<>();
        servers.forEach((n, s) -> m.put(n, s.offsite()));
        return Collections.unmodifiableMap(m);
    }

    /** The restore-test block of every server, by name. */
    public Map<String, RestoreSettings> restore() {
        Map<String, RestoreSettings> m = new LinkedHashMap<>();
        servers.forEach((n, s) -> m.put(n, s.restore()));
        return Collections.unmodifiableMap(m);
    }
}
