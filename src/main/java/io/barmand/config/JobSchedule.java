package io.barmand.config;

import java.util.Optional;
import io.barmand.vocabulary.RestoreSource;

/**
 * One schedule of one job of a server, as the scheduler fires it and as health looks for its missed fire times. A job
 * has one, its own ({@code KIND.schedule}); the restore test may have a second one, {@code restore-test.s3.schedule},
 * whose runs read the offsite copy whatever {@code restore-test.source} says.
 *
 * @param source the source its runs use, for a restore test; empty for every other kind
 * @param second true for the restore test's second schedule (its trigger, its key in health's problems)
 */
public record JobSchedule(JobKind kind, Schedule schedule, Optional<RestoreSource> source, boolean second) {
    /** The name of its Quartz trigger and of its problems: "restore-test", "restore-test-s3". */
    public String name() {
        return second ? kind.id() + "-" + source.orElseThrow().id() : kind.id();
    }

    /** For people: "restore test from s3"; the job's id otherwise. */
    public String label() {
        return source.map(s -> kind.id() + " from " + s.id()).orElse(kind.id());
    }
}
