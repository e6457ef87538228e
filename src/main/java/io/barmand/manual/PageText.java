package io.barmand.manual;

import java.util.LinkedHashMap;
import java.util.Map;

/** The words of the man pages that are not in the picocli model or in reference.conf. */
final class PageText {
    static final String DOC_DIR = "/usr/share/doc/barmand";

    static final String COMMAND_NAME_LINE = "drives Barman: scheduled backups, offsite S3 copies, restore tests, retention, "
            + "a morning report";

    static final String COMMAND_DESCRIPTION = """
            barmand runs as a systemd service (barmand.service, `barmand run`) beside Barman on a backup host. On cron \
            schedules it runs Barman's check, switch-wal and backup for each configured server, copies each backup and \
            its WAL to S3-compatible storage, restores the latest backup into a scratch PostgreSQL instance and verifies \
            it, applies retention to Barman's catalogue and to the bucket, mails a morning report and alerts, and \
            exposes Prometheus metrics. Every run is recorded (outcome, duration, figures) in a history that \
            `barmand status`, `barmand history` and the report read.

            The other commands are for the admin: they read the same configuration, and `run-now` reaches the running \
            daemon through its control socket so that its locks and its history hold. `barmand help COMMAND` and \
            `barmand COMMAND --help` print the same as this page, per command.""";

    /**
     * The pages of docs/ the package installs in {@link #DOC_DIR} (the pom's jdeb data): those the man pages cite,
     * through the help texts and reference.conf's comments, so that the pages send no reader to a source tree.
     */
    static final java.util.List<String> INSTALLED_DOCS = java.util.List.of("CONTRACTS.md", "operations.md", "retention.md");

    private static final java.util.regex.Pattern DOCS = java.util.regex.Pattern.compile("(?<![\\w/.-])docs/([A-Za-z0-9_-]+\\.md)");

    /** {@code page} with each "docs/NAME.md" as installed: DOC_DIR/NAME.md (the source's path means nothing on a host). */
    static String installedDocs(String page) {
        return DOCS.matcher(page).replaceAll(java.util.regex.Matcher.quoteReplacement(DOC_DIR) + "/$1");
    }

    static final Map<String, String> FILES = new LinkedHashMap<>();
    static final Map<String, String> ENVIRONMENT = new LinkedHashMap<>();
    static final Map<Integer, String> EXIT_STATUS = new LinkedHashMap<>();

    static {
        FILES.put("/etc/barmand/barmand.conf", "The configuration (HOCON), root:barman 0640; see barmand.conf(5).");
        FILES.put("/etc/barmand/conf.d/*.conf", "Read after the main file, by name, a later file winning: one file per "
                + "server, as Barman's barman.d.");
        FILES.put("/etc/default/barmand", "BARMAND_JAVA_OPTS for the service and the command line.");
        FILES.put("/var/lib/barmand", "State: the run history (history.db), the reports, the mail outbox, the webhooks' spool.");
        FILES.put("/run/barmand/control.sock", "The control socket through which `barmand run-now` reaches the daemon.");
        FILES.put(DOC_DIR + "/reference.conf", "Every setting with its default and its meaning.");
        FILES.put(DOC_DIR + "/CONTRACTS.md", "The JSON of status, history, report and retention plan, field by field, "
                + "and the exit codes each command keeps.");

        ENVIRONMENT.put("BARMAND_CONFIG", "The configuration file when --config is not given "
                + "(default /etc/barmand/barmand.conf).");
        ENVIRONMENT.put("BARMAND_JAVA_OPTS", "JVM options of /usr/bin/barmand and of the service; /etc/default/barmand "
                + "sets them unless the caller's environment does.");

        EXIT_STATUS.put(0, "Success.");
        EXIT_STATUS.put(1, "A job ran and failed, or ran past its timeout.");
        EXIT_STATUS.put(64, "Wrong use of the command line.");
        EXIT_STATUS.put(69, "Something needed is not there: the daemon, a binary, a server.");
        EXIT_STATUS.put(70, "A bug in barmand.");
        EXIT_STATUS.put(74, "Reading or writing a file, the history store or a socket failed.");
        EXIT_STATUS.put(75, "Busy (the server runs another job) or interrupted (the daemon is stopping): try again later.");
        EXIT_STATUS.put(78, "The configuration is wrong; every problem is printed as FILE: key: what (line N).");
    }

    private PageText() {
    }
}
