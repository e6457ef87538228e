package io.barmand.history;

/** What started a run. */
public enum Trigger {
    SCHEDULED("scheduled"), MANUAL("manual"), CATCH_UP("catch-up"),
    /** the offsite copy that follows a successful backup */
    AFTER_BACKUP("after-backup"),
    /** another attempt of a failed run, per the job's retry policy */
    RETRY("retry"),
    /** a floating job of the fleet run again on another node, its own node having died mid-run (Quartz recovery) */
    RECOVERED("recovered");

    private final String word;

    Trigger(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public static Trigger of(String word) {
        for (Trigger t : values()) {
            if (t.word.equals(word)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown trigger " + word);
    }
}
