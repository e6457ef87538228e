package io.barmand.job;

import io.barmand.config.RestoreSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.vocabulary.RestoreSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The options of one run, overriding the configuration for that run only: which backup ({@code run-now offsite
 * SERVER ID}, {@code --backup-id}; the backup a chained copy follows), where recovery stops ({@code --target}) and
 * where a restore test reads the backup ({@code --from}, and the trigger of {@code restore-test.s3.schedule}).
 * Parsed and checked where they come in (picocli, the control socket), so that a job receives only valid values.
 */
public record RunOptions(Optional<String> backupId, Optional<RestoreSettings.Target> target, boolean allowMassDelete,
                         Optional<RestoreSource> source) {
    public static final RunOptions NONE = new RunOptions(Optional.empty(), Optional.empty());
    public RunOptions {
        backupId = backupId == null ? Optional.empty() : backupId;
        target = target == null ? Optional.empty() : target;
        source = source == null ? Optional.empty() : source;
    }

    public RunOptions(Optional<String> backupId, Optional<RestoreSettings.Target> target, boolean allowMassDelete) {
        this(backupId, target, allowMassDelete, Optional.empty());
    }

    public RunOptions(Optional<String> backupId, Optional<RestoreSettings.Target> target) {
        this(backupId, target, false);
    }

    /** These options, and retention's guards on how many backups one run deletes lifted for this run. */
    public RunOptions withAllowMassDelete() {
        return new RunOptions(backupId, target, true, source);
    }

    /** These options, the restore test reading from {@code from} for this run. */
    public RunOptions withSource(RestoreSource from) {
        return new RunOptions(backupId, target, allowMassDelete, Optional.of(from));
    }

    /** Only a source: the options of a scheduled restore test of {@code restore-test.s3.schedule}. */
    public static RunOptions source(RestoreSource from) {
        return NONE.withSource(from);
    }

    public static RunOptions backup(String id) {
        return id == null || id.isEmpty() ? NONE : new RunOptions(Optional.of(id), Optional.empty());
    }

    public boolean isEmpty() {
        return backupId.isEmpty() && target.isEmpty() && !allowMassDelete && source.isEmpty();
    }

    /**
     * Reads the text form ({@code --backup-id} = "latest" or a Barman backup id, {@code --target} in the syntax of
     * {@code restore-test.target}); USAGE naming the option when one is wrong. Null or blank = not given.
     */
    public static RunOptions parse(String backupId, String target) {
        Optional<String> id = Optional.empty();
        if (backupId != null && !backupId.isBlank()) {
            String b = backupId.trim();
            if (!RestoreSettings.backupId(b)) {
                throw new BarmandException(Category.USAGE, "--backup-id: must be \"latest\" or a Barman backup id "
                        + "(like 20261124T010203), is \"" + backupId + "\"");
            }
            id = Optional.of(b);
        }
        Optional<RestoreSettings.Target> t = Optional.empty();
        if (target != null && !target.isBlank()) {
            // no form of a target has meaningful whitespace ("ago:30 m" = "ago:30m")
            String s = target.replaceAll("\\s+", "");
            t = Optional.of(RestoreSettings.parseTarget(s).orElseThrow(() -> new BarmandException(Category.USAGE,
                    "--target: must be " + RestoreSettings.TARGET_FORMS + ", is \"" + target + "\"")));
        }
        return new RunOptions(id, t);
    }

    /** As {@link #parse(String, String)}, with {@code --from} ("barman" or "s3"; null or blank = the configured source). */
    public static RunOptions parse(String backupId, String target, String from) {
        RunOptions o = parse(backupId, target);
        if (from == null || from.isBlank()) {
            return o;
        }
        RestoreSource source = RestoreSource.of(from.trim()).orElseThrow(() -> new BarmandException(Category.USAGE,
                "--from: must be \"barman\" or \"s3\", is \"" + from + "\""));
        return o.withSource(source);
    }

    /** The control socket's form: {"backupId": "...", "target": "time:..."} (only what is set). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        backupId.ifPresent(b -> m.put("backupId", b));
        target.ifPresent(t -> m.put("target", t.spec()));
        source.ifPresent(s -> m.put("source", s.id()));
        if (allowMassDelete) {
            m.put("allowMassDelete", "true");
        }
        return m;
    }

    public static RunOptions fromMap(Map<String, String> m) {
        RunOptions o = parse(m.get("backupId"), m.get("target"), m.get("source"));
        return "true".equals(m.get("allowMassDelete")) ? o.withAllowMassDelete() : o;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
