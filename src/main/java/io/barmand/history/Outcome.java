package io.barmand.history;

/** How a run ended (or that it waits for its turn, or is still running). */
public enum Outcome {
    QUEUED, RUNNING, SUCCESS, FAILED, SKIPPED, INTERRUPTED;

    /** Not ended yet: queued or running. */
    public boolean open() {
        return this == QUEUED || this == RUNNING;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Outcome of(String word) {
        return valueOf(word.toUpperCase(java.util.Locale.ROOT));
    }
}
