package io.barmand.history;

/** How a run ended (or that it is still running). */
public enum Outcome {
    RUNNING, SUCCESS, FAILED, SKIPPED, INTERRUPTED;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Outcome of(String word) {
        return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
}
