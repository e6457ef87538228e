package io.barmand.manual;

import java.util.ArrayList;
import java.util.List;

/** A man page in roff (the man macros), written line by line, the text escaped as groff wants it. */
final class Roff {
    private final StringBuilder out = new StringBuilder();

    /** The title line: NAME SECTION DATE SOURCE MANUAL. */
    Roff(String name, int section, String date, String source, String manual) {
        macro("TH", name, String.valueOf(section), date, source, manual);
        // left-aligned, no hyphenation: keys, paths and S3 layouts are long words that must read as written
        out.append(".ad l\n.nh\n");
    }

    Roff section(String title) {
        return macro("SH", title);
    }

    Roff subsection(String title) {
        return macro("SS", title);
    }

    /** A paragraph of plain text (may hold several lines; each blank line starts a new paragraph). */
    Roff paragraph(String text) {
        out.append(".PP\n");
        return text(text);
    }

    /** Text lines, escaped; a blank line is a paragraph break. */
    Roff text(String text) {
        for (String l : text.split("\n", -1)) {
            if (l.isBlank()) {
                out.append(".PP\n");
            } else {
                out.append(inline(l.strip())).append('\n');
            }
        }
        return this;
    }

    /** A line of text: escaped, a word between backquotes (`barmand run-now`, as reference.conf writes them) in bold. */
    static String inline(String l) {
        String[] parts = l.split("`", -1);
        if (parts.length % 2 == 0) {
            return escapeLine(l); // an odd backquote: nothing is quoted
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            b.append(i % 2 == 1 ? bold(parts[i]) : escape(parts[i]));
        }
        String e = b.toString();
        return e.startsWith(".") || e.startsWith("\\(aq") ? "\\&" + e : e;
    }

    /** A tagged paragraph: {@code tag} (already in roff, e.g. from {@link #bold}) then the text indented below. */
    Roff tagged(String tag, String text) {
        out.append(".TP\n").append(tag).append('\n');
        return text.isBlank() ? this : text(text);
    }

    /** Lines shown as they are (examples, a synopsis). */
    Roff verbatim(String text) {
        out.append(".PP\n.nf\n.RS 4\n");
        for (String l : text.split("\n", -1)) {
            out.append(escapeLine(l)).append('\n');
        }
        out.append(".RE\n.fi\n");
        return this;
    }

    Roff raw(String roff) {
        out.append(roff).append('\n');
        return this;
    }

    private Roff macro(String name, String... args) {
        List<String> quoted = new ArrayList<>();
        for (String a : args) {
            quoted.add('"' + escape(a).replace("\"", "\\(dq") + '"');
        }
        out.append('.').append(name).append(' ').append(String.join(" ", quoted)).append('\n');
        return this;
    }

    static String bold(String s) {
        return "\\fB" + escape(s) + "\\fR";
    }

    static String italic(String s) {
        return "\\fI" + escape(s) + "\\fR";
    }

    /** Text in roff: backslashes and hyphens escaped (a hyphen in an option is a minus sign, copied as "-"). */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-").replace("'", "\\(aq").replace("`", "\\(ga");
        return LONG_WORD.matcher(e).replaceAll(m -> m.group().replace("/", "/\\\\:").replace(",", ",\\\\:"));
    }

    /** A word too long for a line of 80 (a path, an S3 layout): it may break after its "/" and "," (groff's \:). */
    private static final java.util.regex.Pattern LONG_WORD = java.util.regex.Pattern.compile("[^\\s]{40,}");

    /** A line of text, not to be read as a request: one starting with "." or "'" is guarded. */
    private static String escapeLine(String l) {
        String e = escape(l);
        return e.startsWith(".") || e.startsWith("\\(aq") ? "\\&" + e : e;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
