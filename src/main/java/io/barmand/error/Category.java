package io.barmand.error;

/** What went wrong, as an exit code (sysexits.h) and as the word used in reports and history. */
public enum Category {
    /** A job ran and failed (a failed check, a failed backup). */
    JOB_FAILED(1, "failed"),
    /** Wrong command line use. */
    USAGE(64, "usage"),
    /** Something needed is not there: the daemon, a binary, a server. */
    UNAVAILABLE(69, "unavailable"),
    /** A bug in barmand. */
    INTERNAL(70, "internal"),
    /** Reading or writing a file, the history store or a socket failed. */
    IO(74, "io"),
    /** Try again later: the server is busy with another job. */
    BUSY(75, "busy"),
    /** A command ran past its timeout and was killed. */
    TIMEOUT(1, "timeout"),
    /** The run was cut short (daemon stopping). */
    INTERRUPTED(75, "interrupted"),
    /** The configuration is wrong. */
    CONFIG(78, "config");

    private final int exitCode;
    private final String word;

    Category(int exitCode, String word) {
        this.exitCode = exitCode;
        this.word = word;
    }

    public int exitCode() {
        return exitCode;
    }

    public String word() {
        return word;
    }

    /** The category of {@code word} (as the control socket sends it); INTERNAL for a word it does not know. */
    public static Category byWord(String word) {
        for (Category c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        return INTERNAL;
    }
}
