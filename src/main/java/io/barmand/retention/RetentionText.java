package io.barmand.retention;

import io.barmand.history.FactNames;
import io.barmand.history.Facts;
import io.barmand.history.Sizes;
import java.util.ArrayList;
import java.util.List;

/** A retention run's facts in words, made once: the history's detail, the log line and the report's line. */
public final class RetentionText {
    private RetentionText() {
    }

    /** "local: 2 deleted (ID, ID), 1 kept standalone, 0 released, 8 kept; s3: 1 copy deleted, 40 WAL objects, 3.1 GiB freed". */
    public static String detail(Facts f) {
        List<String> parts = new ArrayList<>();
        if (f.text(FactNames.REFUSED).isPresent() && f.count(FactNames.BACKUPS).isEmpty()) {
            return f.text(FactNames.REFUSED).get();
        }
        StringBuilder l = new StringBuilder("local: ");
        if (f.text(FactNames.REFUSED).isPresent()) {
            l.append("refused, nothing done");
        } else {
            l.append(f.count(FactNames.DELETED).orElse(0L)).append(" deleted");
            f.text(FactNames.DELETED_BACKUPS).ifPresent(ids -> l.append(" (").append(ids(ids)).append(")"));
            l.append(", ").append(f.count(FactNames.STANDALONE).orElse(0L)).append(" kept standalone");
            l.append(", ").append(f.count(FactNames.RELEASED).orElse(0L)).append(" released");
            l.append(", ").append(f.count(FactNames.KEPT).orElse(0L)).append(" kept");
            if (f.bytes(FactNames.WAL_BEFORE).isPresent() && f.bytes(FactNames.WAL_AFTER).isPresent()) {
                l.append(", WAL ").append(Sizes.human(f.bytes(FactNames.WAL_BEFORE).get())).append(" -> ")
                        .append(Sizes.human(f.bytes(FactNames.WAL_AFTER).get()));
            }
        }
        parts.add(l.toString());
        if (f.text(FactNames.S3_REFUSED).isPresent()) {
            parts.add("s3: refused, nothing done");
        } else if (f.count(FactNames.S3_COPIES).isPresent()) {
            StringBuilder s = new StringBuilder("s3: ");
            s.append(f.count(FactNames.S3_DELETED).orElse(0L)).append(" copies deleted");
            f.text(FactNames.S3_DELETED_BACKUPS).ifPresent(ids -> s.append(" (").append(ids(ids)).append(")"));
            s.append(", ").append(f.count(FactNames.S3_WAL_DELETED).orElse(0L)).append(" WAL objects deleted");
            f.bytes(FactNames.S3_FREED).ifPresent(b -> s.append(", ").append(Sizes.human(b)).append(" freed"));
            s.append(", ").append(f.count(FactNames.S3_VERIFIED).orElse(0L)).append(" of ")
                    .append(f.count(FactNames.S3_COPIES).orElse(0L) - f.count(FactNames.S3_DELETED).orElse(0L)).append(" kept copies verified");
            parts.add(s.toString());
        }
        return String.join("; ", parts);
    }

    /** The first ids of a list (the facts keep them all): "A, B, C, D, E and 35 more". */
    static String ids(String commaSeparated) {
        String[] ids = commaSeparated.split(",");
        if (ids.length <= 5) {
            return String.join(", ", ids);
        }
        return String.join(", ", java.util.Arrays.copyOf(ids, 5)) + " and " + (ids.length - 5) + " more";
    }
}
