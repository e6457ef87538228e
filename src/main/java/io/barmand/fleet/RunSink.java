package io.barmand.fleet;

import io.barmand.history.RunChange;
import java.util.List;

/** Where the forwarder copies a node's run changes: the state database ({@link StateRuns}), a fake in tests. */
public interface RunSink {
    /**
     * Stores {@code changes} of {@code node} all or none, each keyed by (node, local id): a copy already there with
     * the same or a newer change number is left as it is, so that sending a change twice stores it once.
     */
    void put(String node, List<RunChange> changes) throws Exception;
}
