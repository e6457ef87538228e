package io.barmand.schedule.cluster;

import java.time.Instant;

/**
 * One fire of a floating job on this node.
 *
 * @param node the node running it
 * @param scheduled the fire time it is for; for a recovered run, the fire time of the run that died with its node
 * @param fired when this node fired it
 * @param recovered whether this is a re-run of a fire whose node died mid-run (Quartz's {@code isRecovering})
 */
public record FloatingRun(FloatingKind kind, String server, String node, Instant scheduled, Instant fired,
                          boolean recovered) {
    @Override
    public String toString() {
        return (server.isEmpty() ? kind.id() : kind.id() + " of " + server) + " for " + scheduled
                + (recovered ? " (recovered)" : "") + " on " + node;
    }
}
