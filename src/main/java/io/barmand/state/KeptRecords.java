package io.barmand.state;

import java.time.Instant;

/**
 * Records that barmand keeps in state-dir beside the run history (sent mails, delivered webhook posts): pruned with the
 * history, by the same {@code history.keep}, so that a host that runs for years doesn't keep one file per alert forever.
 */
public interface KeptRecords {
    /** What a record is, for the prune's summary: "sent mail record(s)". */
    String what();

    /** Deletes the records of what was done before {@code before}; never one still waiting. Returns how many. */
    int prune(Instant before);
}
