package io.barmand.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (what Prometheus and node_exporter's textfile
 * collector read), for tests: any line it does not understand, any bad escape, a TYPE after a sample of its family,
 * a family split in two groups, a series given twice or a text not ending in a newline is an
 * {@link IllegalArgumentException} naming the line.
 */
final class Exposition {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value, Long timestamp) {
    }

    static final class Family {
        final String name;
        String type = "untyped";
        String help;
        boolean typed;
        final List<Sample> samples = new ArrayList<>();

        Family(String name) {
            this.name = name;
        }

        /** The value of the one sample with exactly these labels (name, value, name, value, ...). */
        Optional<Double> value(String... labels) {
            Map<String, String> want = new TreeMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                want.put(labels[i], labels[i + 1]);
            }
            return samples.stream().filter(s -> s.labels().equals(want)).map(Sample::value).findFirst();
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    private Exposition() {
    }

    Map<String, Family> families() {
        return families;
    }

    Family family(String name) {
        Family f = families.get(name);
        if (f == null) {
            throw new AssertionError("no metric family " + name + " in " + families.keySet());
        }
        return f;
    }

    /** The value of a series, e.g. {@code value("barman_up", "server", "pg1", "check", "wal_archive")}. */
    Optional<Double> value(String family, String... labels) {
        Family f = families.get(family);
        return f == null ? Optional.empty() : f.value(labels);
    }

    static Exposition parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line does not end with a newline");
        }
        Exposition e = new Exposition();
        Set<String> closed = new java.util.HashSet<>();
        Set<String> series = new java.util.HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " \"" + line + "\": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] t = line.split(" ", 4);
                if (t.length >= 3 && t[0].equals("#") && (t[1].equals("HELP") || t[1].equals("TYPE"))) {
                    String name = t[2];
                    if (!METRIC_NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException(where + "bad metric name");
                    }
                    current = switchTo(e, closed, current, name, where);
                    Family f = e.families.get(name);
                    if (t[1].equals("HELP")) {
                        if (f.help != null) {
                            throw new IllegalArgumentException(where + "a second HELP");
                        }
                        f.help = unescape(t.length > 3 ? t[3] : "", false, where);
                    } else {
                        if (t.length != 4 || !TYPES.contains(t[3])) {
                            throw new IllegalArgumentException(where + "bad TYPE");
                        }
                        if (f.typed || !f.samples.isEmpty()) {
                            throw new IllegalArgumentException(where + "TYPE after a TYPE or a sample of the family");
                        }
                        f.type = t[3];
                        f.typed = true;
                    }
                }
                continue; // any other comment
            }
            Sample s = sample(line, where);
            String fam = familyOf(e, s.name());
            current = switchTo(e, closed, current, fam, where);
            Family f = e.families.get(fam);
            if (!f.name.equals(s.name()) && !(f.type.equals("histogram") || f.type.equals("summary"))) {
                throw new IllegalArgumentException(where + "sample " + s.name() + " in family " + f.name + " of type " + f.type);
            }
            if (!series.add(s.name() + s.labels())) {
                throw new IllegalArgumentException(where + "the series is given twice");
            }
            f.samples.add(s);
        }
        return e;
    }

    /** The family a sample belongs to: its own name, or a histogram's or summary's name without the suffix. */
    private static String familyOf(Exposition e, String sample) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                Family f = e.families.get(base);
                if (f != null && (f.type.equals("histogram") || f.type.equals("summary"))) {
                    return base;
                }
            }
        }
        return sample;
    }

    /** Lines of one family come in one group: a family left cannot come back. */
    private static String switchTo(Exposition e, Set<String> closed, String current, String name, String where) {
        if (name.equals(current)) {
            return current;
        }
        if (closed.contains(name)) {
            throw new IllegalArgumentException(where + "family " + name + " comes back after another one");
        }
        if (current != null) {
            closed.add(current);
        }
        e.families.computeIfAbsent(name, Family::new);
        return name;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name");
        }
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException(where + "unterminated labels");
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "label without =");
                }
                String ln = line.substring(i, eq);
                if (!LABEL_NAME.matcher(ln).matches() || ln.startsWith("__")) {
                    throw new IllegalArgumentException(where + "bad label name '" + ln + "'");
                }
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') {
                    throw new IllegalArgumentException(where + "label value not quoted");
                }
                i++;
                StringBuilder raw = new StringBuilder();
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException(where + "unterminated label value");
                    }
                    char c = line.charAt(i);
                    if (c == '\\') {
                        if (i + 1 >= line.length()) {
                            throw new IllegalArgumentException(where + "backslash at the end");
                        }
                        raw.append(c).append(line.charAt(i + 1));
                        i += 2;
                    } else if (c == '"') {
                        i++;
                        break;
                    } else {
                        raw.append(c);
                        i++;
                    }
                }
                if (labels.put(ln, unescape(raw.toString(), true, where)) != null) {
                    throw new IllegalArgumentException(where + "label " + ln + " given twice");
                }
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "expected , or } after a label");
                }
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException(where + "no space before the value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length < 1 || rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
            throw new IllegalArgumentException(where + "bad value");
        }
        Long ts = null;
        if (rest.length == 2) {
            if (!TIMESTAMP.matcher(rest[1]).matches()) {
                throw new IllegalArgumentException(where + "bad timestamp");
            }
            ts = Long.parseLong(rest[1]);
        }
        return new Sample(name, labels, number(rest[0]), ts);
    }

    private static double number(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** Label values escape \\, \" and \n; HELP text \\ and \n only. */
    private static String unescape(String s, boolean label, String where) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                throw new IllegalArgumentException(where + "raw newline");
            }
            if (c != '\\') {
                if (label && c == '"') {
                    throw new IllegalArgumentException(where + "unescaped quote in a label value");
                }
                b.append(c);
                continue;
            }
            if (i + 1 >= s.length()) {
                throw new IllegalArgumentException(where + "backslash at the end");
            }
            char d = s.charAt(++i);
            switch (d) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case '"' -> {
                    if (!label) {
                        throw new IllegalArgumentException(where + "\\\" in HELP text");
                    }
                    b.append('"');
                }
                default -> throw new IllegalArgumentException(where + "bad escape \\" + d);
            }
        }
        return b.toString();
    }
}
