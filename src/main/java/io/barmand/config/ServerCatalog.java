package io.barmand.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** Tells which servers Barman knows (validation asks it once at start). */
@FunctionalInterface
public interface ServerCatalog {
    /** @throws io.barmand.error.BarmandException when Barman cannot be asked */
    Set<String> knownServers(Path binary, Optional<Path> configFile, java.time.Duration timeout);
}
