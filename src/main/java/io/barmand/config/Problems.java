package io.barmand.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The problems of a configuration, as the admin reads them: each "FILE: KEY...: what (line N)", the line added where a
 * reader left it out, file by file (the main file, then the included ones in their order), each in the order of its
 * lines (those without a line last, as they came).
 */
final class Problems {
    private static final Pattern LINE = Pattern.compile("\\(line (\\d+)\\)$");

    private Problems() {
    }

    static List<String> inFileOrder(List<String> problems, List<Path> files, Config merged) {
        List<String> out = new ArrayList<>();
        for (String p : problems) {
            out.add(LINE.matcher(p).find() ? p : p + lineOf(p, files, merged));
        }
        out.sort(Comparator.<String>comparingInt(p -> fileIndex(p, files)).thenComparingInt(Problems::line));
        return out;
    }

    /** The file a problem names: its place in {@code files} (one named by none comes first, as the main file). */
    private static int fileIndex(String problem, List<Path> files) {
        for (int i = files.size() - 1; i > 0; i--) {
            if (problem.startsWith(files.get(i) + ": ")) {
                return i;
            }
        }
        return 0;
    }

    /** " (line N)" of the key a problem names, when the file it names sets it; else "". */
    private static String lineOf(String problem, List<Path> files, Config merged) {
        Path where = files.get(fileIndex(problem, files));
        String prefix = where + ": ";
        if (!problem.startsWith(prefix)) {
            return "";
        }
        String key = ConfigFiles.key(problem.substring(prefix.length()));
        try {
            // the file's own lines only: a default (put back in a wrong value's place) is from reference.conf
            if (merged.hasPathOrNull(key) && where.equals(ConfigFiles.file(merged.getValue(key).origin(), List.of(where)))) {
                return Settings.line(merged.getValue(key).origin());
            }
        } catch (RuntimeException e) {
            // not a path: no line
        }
        return "";
    }

    private static int line(String p) {
        Matcher m = LINE.matcher(p);
        return m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }
}
