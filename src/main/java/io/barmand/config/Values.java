package io.barmand.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every value of the file checked against the kind of its default in reference.conf (a number, true or false, a
 * duration, a size), told in barmand's words: {@code FILE: KEY = VALUE: must be a positive size such as 16MiB (line N)}.
 * A wrong value is then replaced by its default, so that the readers after this one never meet it: the file's other
 * problems are still found, and all are reported together.
 */
final class Values {
    private static final Pattern DURATION_TEXT = Pattern.compile("\\d+(\\.\\d+)?\\s*(ns|us|ms|s|m|h|d)");
    private static final Pattern SIZE_TEXT = Pattern.compile("\\d+\\s*(B|KiB|MiB|GiB|TiB|kB|MB|GB|TB)");

    private Values() {
    }

    /** The kind of a setting, read from its default. */
    enum Kind {
        INTEGER("a whole number"),
        DECIMAL("a number such as 1.5"),
        BOOLEAN("true or false"),
        DURATION("a duration such as 30s, 5m, 6h or 7d"),
        SIZE("a positive size such as 16MiB or 2GiB"),
        TEXT("a text in quotes"),
        LIST("a list [ ... ]"),
        BLOCK("a block { ... }");

        final String words;

        Kind(String words) {
            this.words = words;
        }

        static Kind of(ConfigValue reference) {
            return switch (reference.valueType()) {
                case NUMBER -> reference.unwrapped() instanceof Double ? DECIMAL : INTEGER;
                case BOOLEAN -> BOOLEAN;
                case LIST -> LIST;
                case OBJECT -> BLOCK;
                case STRING, NULL -> {
                    String s = String.valueOf(reference.unwrapped()).trim();
                    yield DURATION_TEXT.matcher(s).matches() ? DURATION : SIZE_TEXT.matcher(s).matches() ? SIZE : TEXT;
                }
            };
        }
    }

    /** What a wrong-type problem of {@code checkValid} says, in our words. */
    static String wrongType(Config merged, Config reference, String path) {
        Kind want = reference.hasPath(path) ? Kind.of(reference.getValue(path)) : Kind.TEXT;
        if (!merged.hasPath(path)) {
            return ": must be set to " + want.words;
        }
        return " = " + render(merged.getValue(path)) + ": must be " + want.words + ", not " + what(merged.getValue(path));
    }

    /**
     * Checks every value of the root (against reference.conf) and of every server's block (against {@code defaults});
     * returns {@code merged} with each wrong value replaced by its default.
     */
    static Config check(String where, Config merged, Config reference, List<String> problems) {
        Config c = merged;
        String root = Settings.ROOT;
        for (String p : leaves(reference.getObject(root), "")) {
            if (p.startsWith("servers.")) {
                continue;
            }
            c = one(where, c, root + "." + p, reference.getValue(root + "." + p), p, problems);
        }
        String servers = root + ".servers";
        if (c.hasPath(servers) && c.getValue(servers).valueType() == ConfigValueType.OBJECT) {
            List<String> defaults = leaves(reference.getObject(root + ".defaults"), "");
            Map<String, String> first = new java.util.HashMap<>();
            defaults.forEach(p -> first.put(p, ConfigUtil.splitPath(p).get(0)));
            for (Map.Entry<String, ConfigValue> s : c.getObject(servers).entrySet()) {
                if (s.getValue().valueType() != ConfigValueType.OBJECT) {
                    continue;
                }
                ConfigObject own = (ConfigObject) s.getValue();
                if (own.isEmpty()) {
                    continue; // `pg1 {}`: nothing of its own to check (at 200 servers, 200 x every key of defaults)
                }
                String block = servers + "." + ConfigUtil.joinPath(s.getKey());
                for (String p : defaults) {
                    // only the keys whose first word the block sets can be there (the others: no path to look up)
                    if (own.containsKey(first.get(p))) {
                        c = one(where, c, block + "." + p, reference.getValue(root + ".defaults." + p), p, problems);
                    }
                }
            }
        }
        return c;
    }

    private static Config one(String where, Config c, String path, ConfigValue def, String relative, List<String> problems) {
        if (!c.hasPath(path)) {
            return c;
        }
        ConfigValue v = c.getValue(path);
        String problem = problem(c, path, Kind.of(def), relative);
        if (problem == null) {
            return c;
        }
        if (Kind.of(def) == Kind.DURATION && relative.startsWith("health.")) {
            problem += ", or \"off\"";
        }
        problems.add(where + ": " + path + " = " + render(v) + ": " + problem + " (default: " + render(def) + ")"
                + Settings.line(v.origin()));
        return c.withValue(path, def);
    }

    /** What is wrong with the value at {@code path} for its kind, or null. */
    private static String problem(Config c, String path, Kind kind, String relative) {
        try {
            switch (kind) {
                case INTEGER -> {
                    if (!(c.getValue(path).unwrapped() instanceof Number) && !c.getString(path).trim().matches("-?\\d+")) {
                        return "must be " + kind.words;
                    }
                    double d = c.getDouble(path);
                    if (d != Math.rint(d)) {
                        return "must be " + kind.words;
                    }
                    c.getInt(path);
                }
                case DECIMAL -> c.getDouble(path);
                case BOOLEAN -> c.getBoolean(path);
                case DURATION -> {
                    // "off" is for the setting's reader to take (the health thresholds) or refuse
                    if (c.getString(path).trim().equalsIgnoreCase(Settings.OFF)) {
                        return null;
                    }
                    // HOCON reads a bare number as milliseconds: "timeout = 90" would be 90 ms, never what was meant
                    if (c.getValue(path).valueType() == ConfigValueType.NUMBER) {
                        return "must be " + kind.words + ", with its unit (a bare number would be milliseconds)";
                    }
                    c.getDuration(path);
                }
                case SIZE -> {
                    if (c.getBytes(path) <= 0) {
                        return "must be " + kind.words;
                    }
                }
                default -> {
                    return null;
                }
            }
            return null;
        } catch (ConfigException e) {
            return "must be " + kind.words;
        }
    }

    /** Every leaf path under {@code o} ("a.b.c"), blocks walked into. */
    static List<String> leaves(ConfigObject o, String prefix) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String p = prefix.isEmpty() ? ConfigUtil.joinPath(e.getKey()) : prefix + "." + ConfigUtil.joinPath(e.getKey());
            if (e.getValue() instanceof ConfigObject co && !co.isEmpty()) {
                out.addAll(leaves(co, p));
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static String what(ConfigValue v) {
        return switch (v.valueType()) {
            case OBJECT -> "a block";
            case LIST -> "a list";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case NULL -> "null";
            case STRING -> "a text";
        };
    }

    /** The value as the admin wrote it, near enough: -8MiB, "soon", [1]. */
    static String render(ConfigValue v) {
        String s = v.render(ConfigRenderOptions.concise());
        if (v.valueType() == ConfigValueType.STRING && s.matches("\"-?[0-9][^\"]*\"")) {
            return s.substring(1, s.length() - 1); // 64MiB, -8MiB, 5 parsecs: written without quotes
        }
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    /**
     * A reader's ConfigException in our words, for the few a reader still meets after {@link #check} (such as "off"
     * where a duration must be): ": the value of line N is not one this setting takes (see reference.conf)", without
     * Typesafe's text (whose key is relative to the block the reader had, so not named).
     */
    static String explain(ConfigException e) {
        int line = e.origin() == null ? -1 : e.origin().lineNumber();
        return ": " + (line > 0 ? "the value of line " + line : "a value") + " is not one this block takes (see reference.conf)"
                + Settings.line(e.origin());
    }

    /** The origin's line, for callers outside Settings. */
    static String line(ConfigOrigin o) {
        return Settings.line(o);
    }
}
