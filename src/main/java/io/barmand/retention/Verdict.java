package io.barmand.retention;

/**
 * What to do with one backup. A verdict names every action the daemon takes on it, in order, so that nothing is
 * left to infer (see the package documentation for the order across backups):
 * <ul>
 *   <li>{@link #KEEP}: touch nothing (no {@code barman keep}, no release, no delete).</li>
 *   <li>{@link #KEEP_STANDALONE}: a long-term tier alone keeps it: make sure it carries
 *       {@code barman keep --target standalone} (nothing to do when it already does).</li>
 *   <li>{@link #DELETE}: {@code barman delete}.</li>
 *   <li>{@link #RELEASE_AND_KEEP}: it carries a Barman keep that no tier wants any more, but the recovery window or
 *       a rail keeps it: {@code barman keep --release}, and nothing else.</li>
 *   <li>{@link #RELEASE_AND_DELETE}: it carries a Barman keep that no tier wants, and nothing keeps it:
 *       {@code barman keep --release}, then {@code barman delete} (Barman refuses to delete a kept backup).</li>
 * </ul>
 */
public enum Verdict {
    KEEP("keep", "keep"),
    KEEP_STANDALONE("keep-standalone", "keep (standalone)"),
    DELETE("delete", "delete"),
    RELEASE_AND_KEEP("release-and-keep", "release keep, keep"),
    RELEASE_AND_DELETE("release-and-delete", "release keep, delete");

    private final String word;
    private final String text;

    Verdict(String word, String text) {
        this.word = word;
        this.text = text;
    }

    /** The word in JSON ("keep-standalone"). */
    public String word() {
        return word;
    }

    /** The words for people ("keep (standalone)"). */
    public String text() {
        return text;
    }

    /** The backup goes away in this run. */
    public boolean deletes() {
        return this == DELETE || this == RELEASE_AND_DELETE;
    }

    /** Its Barman keep is released in this run. */
    public boolean releases() {
        return this == RELEASE_AND_KEEP || this == RELEASE_AND_DELETE;
    }
}
