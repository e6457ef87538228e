package io.barmand.restore;

import io.barmand.barman.RecoverRequest;
import io.barmand.process.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where a restore test's scratch instance lives: on the backup host ({@link Scratch}) or on a scratch host over SSH
 * ({@link RemoteScratch}). Both refuse a folder that is not barmand's, a taken port and short disk, generate the
 * instance's configuration, and stop it and remove the folder afterwards.
 */
interface Instance extends AutoCloseable {
    /** The scratch folder (PGDATA) on the host the instance runs on. */
    Path dir();

    int port();

    /** Refusals, leftovers of an earlier run, then the marked folder. */
    void prepare(long neededBytes, String marker);

    /** The {@code barman recover} into this instance's folder: as it is here, over SSH for a scratch host. */
    RecoverRequest recoverHere(RecoverRequest request);

    /** Writes the marker again (after `barman recover`). */
    void mark(String marker);

    String pgVersion();

    void configure();

    CommandResult start(Duration timeout);

    /** Runs a PostgreSQL tool (pg_ctl --version, pg_amcheck) as the instance's user on its host. */
    CommandResult tool(List<String> argv, Duration timeout);

    /** The instance's log (for a start that failed). */
    String log();

    ScratchDb db(String superuser);

    void stopInstance(Duration timeout);

    /** Stops and removes; never throws; returns what went wrong or null. */
    String cleanup(Duration stopTimeout);

    @Override
    default void close() {
    }
}
