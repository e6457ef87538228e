package io.barmand.manual;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * barmand.conf(5), from reference.conf: its opening comment is the description, each block of {@code barmand} a
 * section, each key a tagged paragraph with its default and the comment written above it, in the file's order.
 */
final class ConfigManPage {
    private ConfigManPage() {
    }

    /**
     * {@code reference}: reference.conf as parsed (its values keep their comments and lines); {@code header}: the
     * comment it opens with.
     */
    static String render(ConfigObject reference, String header, String version, String date) {
        Roff r = new Roff("BARMAND.CONF", 5, date, "barmand " + version, "File Formats");
        r.section("NAME").raw("barmand.conf \\- configuration of barmand(8)");
        r.section("SYNOPSIS").raw(Roff.italic("/etc/barmand/barmand.conf") + "\n.br\n" + Roff.italic("/etc/barmand/conf.d/*.conf"));
        ConfigValue root = reference.get("barmand");
        r.section("DESCRIPTION").text(header);
        r.paragraph("A minimal file names the servers, with what differs from the defaults below:");
        r.verbatim("""
                barmand {
                  servers {
                    pg1 { backup.schedule = "30 1 * * *" }
                  }
                }""");
        r.paragraph("`barmand check-config` checks the files and prints the effective configuration, secrets masked.");
        r.section("SETTINGS").text("Every key with its default, in the order of reference.conf (installed as "
                + PageText.DOC_DIR + "/reference.conf).");
        for (Map.Entry<String, ConfigValue> e : ordered((ConfigObject) root)) {
            String path = ConfigUtil.joinPath("barmand", e.getKey());
            if (e.getValue() instanceof ConfigObject block) {
                r.subsection(path);
                comments(r, e.getValue());
                keys(r, path, block);
            } else {
                r.subsection(path);
                key(r, path, e.getValue());
            }
        }
        r.section("SEE ALSO").raw(Roff.bold("barmand") + "(8), " + Roff.bold("barman") + "(1); HOCON: "
                + Roff.italic("https://github.com/lightbend/config/blob/main/HOCON.md"));
        return PageText.installedDocs(r.toString());
    }

    /** The comment a file opens with, its lines without the "#". */
    static String header(String text) {
        StringBuilder b = new StringBuilder();
        for (String l : text.split("\n")) {
            String t = l.strip();
            if (!t.startsWith("#")) {
                break;
            }
            b.append(t.substring(1).strip()).append('\n');
        }
        return b.toString().strip();
    }

    /** Every key under {@code block}, depth first; a block with a comment of its own gets a paragraph for it. */
    private static void keys(Roff r, String prefix, ConfigObject block) {
        if (block.isEmpty()) {
            r.tagged(Roff.bold(prefix + " { }"), "empty by default");
            return;
        }
        for (Map.Entry<String, ConfigValue> e : ordered(block)) {
            String path = prefix + "." + ConfigUtil.joinPath(e.getKey());
            if (e.getValue() instanceof ConfigObject inner) {
                if (!e.getValue().origin().comments().isEmpty() || inner.isEmpty()) {
                    r.tagged(Roff.bold(path + " { }"), String.join("\n", e.getValue().origin().comments()));
                }
                keys(r, path, inner);
            } else {
                key(r, path, e.getValue());
            }
        }
    }

    private static void key(Roff r, String path, ConfigValue v) {
        r.tagged(Roff.bold(path) + " = " + Roff.escape(v.render(ConfigRenderOptions.concise())),
                String.join("\n", v.origin().comments()));
    }

    private static void comments(Roff r, ConfigValue v) {
        if (!v.origin().comments().isEmpty()) {
            r.paragraph(String.join("\n", v.origin().comments()));
        }
    }

    /** A block's entries in the order of the file (Typesafe keeps no order). */
    private static List<Map.Entry<String, ConfigValue>> ordered(ConfigObject o) {
        List<Map.Entry<String, ConfigValue>> l = new ArrayList<>(o.entrySet());
        l.sort(Comparator.comparingInt((Map.Entry<String, ConfigValue> e) -> e.getValue().origin().lineNumber())
                .thenComparing(Map.Entry::getKey));
        return l;
    }
}
