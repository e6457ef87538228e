package io.barmand.schedule;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The runs skipped because their server is busy with a run of their kind, told once per episode: the log says when an
 * episode starts ("skipped: ... busy since ...") and, once the run that held it has ended, how many runs it skipped.
 * Every skipped run is still recorded, one record each: the record is not the log. Not thread safe (the runner's lock).
 */
final class SkipEpisodes {
    /** An episode of one server and job: when its first run was skipped, how many were, the last one. */
    record Episode(String who, Instant since, int skipped, Instant last, long firstRunId) {
    }

    private final Map<String, Episode> open = new HashMap<>();

    private static String key(String server, String job) {
        return server + "\u0000" + job;
    }

    /**
     * A run of {@code job} of {@code server} skipped at {@code at}: true when it starts an episode (log it), false when
     * it adds to one (do not).
     */
    boolean skipped(String server, String job, String who, Instant at, long runId) {
        Episode e = open.get(key(server, job));
        if (e == null) {
            open.put(key(server, job), new Episode(who, at, 1, at, runId));
            return true;
        }
        open.put(key(server, job), new Episode(e.who(), e.since(), e.skipped() + 1, at, e.firstRunId()));
        return false;
    }

    /** The episode of {@code job} of {@code server} is over (nothing of its kind runs or waits): it, if one was open. */
    Optional<Episode> ended(String server, String job) {
        return Optional.ofNullable(open.remove(key(server, job)));
    }

    /** How many episodes are open. */
    int open() {
        return open.size();
    }
}
