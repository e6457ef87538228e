package io.barmand.vocabulary;

import java.util.Set;

/**
 * The backups another capability holds in Barman for the time being, which retention must not delete: today the
 * backups under a running restore test (restore keeps them with {@code barman keep --target full}). Given to
 * retention by the wiring, so that retention asks restore through this contract and never reads restore's journal.
 */
@FunctionalInterface
public interface KeepRegistry {
    /** Nothing held. */
    KeepRegistry NONE = server -> Set.of();

    /** The backup ids of {@code server} held now; empty when none. A journal that cannot be read is an exception. */
    Set<String> keptBy(String server);
}
