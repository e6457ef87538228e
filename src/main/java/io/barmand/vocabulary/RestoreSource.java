package io.barmand.vocabulary;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where a restore test reads its backup: Barman's own copy ({@code barman recover}) or the offsite copy in the
 * bucket. Spelt as the setting {@code restore-test.source}, {@code --from} and the run's fact {@code source} spell
 * it ({@link #id()}); every side reads and writes it through this enum.
 */
public enum RestoreSource {
    BARMAN("barman"),
    S3("s3");

    private final String id;

    RestoreSource(String id) {
        this.id = id;
    }

    /** As the configuration, {@code --from} and the run's facts spell it. */
    public String id() {
        return id;
    }

    /** The source spelt exactly {@code id}; empty for anything else (null included). */
    public static Optional<RestoreSource> of(String id) {
        return Arrays.stream(values()).filter(v -> v.id.equals(id)).findFirst();
    }

    /** The source spelt {@code id}; IllegalArgumentException for anything else (a value checked before). */
    public static RestoreSource named(String id) {
        return of(id).orElseThrow(() -> new IllegalArgumentException("source " + id));
    }

    /** Whether {@code id} spells this source. */
    public boolean is(String id) {
        return of(id).filter(this::equals).isPresent();
    }

    @Override
    public String toString() {
        return id;
    }
}
