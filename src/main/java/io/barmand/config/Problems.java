package io.barmand.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The problems of one file, as the admin reads them: each "FILE: KEY...: what (line N)", the line added where a
 * reader left it out, in the order of the file's lines (those without a line last, as they came).
 */
final class Problems {
    private static final Pattern LINE = Pattern.compile("\\(line (\\d+)\\)$");

    private Problems() {
    }

    static List<String> inFileOrder(List<String> problems, String where, Config merged) {
        List<String> out = new ArrayList<>();
        for (String p : problems) {
            out.add(LINE.matcher(p).find() ? p : p + lineOf(p, where, merged));
        }
        out.sort(Comparator.comparingInt(Problems::line));
        return out;
    }

    /** " (line N)" of the key a problem names, when the file sets it; else "". */
    private static String lineOf(String problem, String where, Config merged) {
        String prefix = where + ": ";
        if (!problem.startsWith(prefix)) {
            return "";
        }
        String rest = problem.substring(prefix.length());
        int end = rest.length();
        for (String sep : List.of(": ", " = ")) {
            int i = rest.indexOf(sep);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        String key = rest.substring(0, end);
        try {
            // the file's own lines only: a default (put back in a wrong value's place) is from reference.conf
            if (merged.hasPathOrNull(key) && sameFile(merged.getValue(key).origin().filename(), where)) {
                return Settings.line(merged.getValue(key).origin());
            }
        } catch (RuntimeException e) {
            // not a path: no line
        }
        return "";
    }

    private static boolean sameFile(String filename, String where) {
        return filename != null && java.nio.file.Path.of(filename).toAbsolutePath().normalize()
                .equals(java.nio.file.Path.of(where).toAbsolutePath().normalize());
    }

    private static int line(String p) {
        Matcher m = LINE.matcher(p);
        return m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }
}
