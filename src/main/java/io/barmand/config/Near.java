package io.barmand.config;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean X?": the known word nearest to a mistyped one, when it is near enough (at most two edits: a letter
 * missing, added, changed, or two letters swapped).
 */
public final class Near {
    /** Farther than this is another word, not a typo. */
    static final int MAX_EDITS = 2;

    private Near() {
    }

    /** The nearest of {@code known} to {@code typed}; empty when none is within {@link #MAX_EDITS} (or it is typed exactly). */
    public static Optional<String> nearest(String typed, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(typed, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        // a short word is near anything: one edit for words of up to 3 letters
        int max = Math.min(MAX_EDITS, Math.max(1, typed.length() / 3));
        return best != null && bestDistance > 0 && bestDistance <= max ? Optional.of(best) : Optional.empty();
    }

    /** " (did you mean X?)", or "" when no known word is near. */
    public static String suggestion(String typed, Collection<String> known) {
        return nearest(typed, known).map(n -> " (did you mean " + n + "?)").orElse("");
    }

    /**
     * " (did you mean offsite.part-size?)" for a key of that name elsewhere in {@code scope} (a key in the wrong block),
     * or "" when there is none or too many to say.
     */
    static String elsewhere(String key, com.typesafe.config.ConfigObject scope) {
        java.util.List<String> found = new java.util.ArrayList<>();
        find(key, scope, "", found);
        java.util.Collections.sort(found);
        return found.isEmpty() || found.size() > 3 ? "" : " (did you mean " + String.join(" or ", found) + "?)";
    }

    private static void find(String key, com.typesafe.config.ConfigObject o, String prefix, java.util.List<String> found) {
        for (java.util.Map.Entry<String, com.typesafe.config.ConfigValue> e : o.entrySet()) {
            String p = prefix + com.typesafe.config.ConfigUtil.joinPath(e.getKey());
            if (e.getKey().equals(key) && !prefix.isEmpty()) {
                found.add(p);
            }
            if (e.getValue() instanceof com.typesafe.config.ConfigObject co) {
                find(key, co, p + ".", found);
            }
        }
    }

    /** Damerau-Levenshtein distance, optimal string alignment: insertions, deletions, substitutions, adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
