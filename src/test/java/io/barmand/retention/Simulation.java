package io.barmand.retention;

import io.barmand.config.RetentionPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Applies plans as the daemon would: deletes go, standalone marks are set, released keeps are dropped. */
final class Simulation {
    private Simulation() {
    }

    /** The catalogue after applying one plan made at {@code now} (guards off: a first run on a big catalogue). */
    static List<Candidate> survivors(List<Candidate> c, RetentionPolicy p, Instant now) {
        return apply(c, RetentionEngine.propose(p, c, now, false));
    }

    static List<Candidate> apply(List<Candidate> c, Plan plan) {
        Map<String, Decision> by = plan.decisions().stream().collect(Collectors.toMap(Decision::backupId, Function.identity()));
        List<Candidate> out = new ArrayList<>();
        for (Candidate x : c) {
            Decision d = by.get(x.backupId());
            if (d.verdict().deletes()) {
                continue;
            }
            if (d.verdict() == Verdict.KEEP_STANDALONE) {
                out.add(Catalogue.kept(x));
            } else if (d.verdict() == Verdict.RELEASE_AND_KEEP) {
                out.add(Catalogue.unkept(x));
            } else {
                out.add(x);
            }
        }
        return out;
    }
}
