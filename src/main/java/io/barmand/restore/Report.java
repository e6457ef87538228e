package io.barmand.restore;

import io.barmand.history.Facts;
import io.barmand.history.RunFigures;
import java.util.ArrayList;
import java.util.List;

/** What one test found (failed checks, facts, the backup's figures); turned into the run's figures. */
final class Report {
    String backupId;
    Long sizeBytes;
    Long throughput;
    final List<String> failed = new ArrayList<>();
    final Facts.Builder facts = Facts.builder();
    String error;

    void fail(String check, String why) {
        failed.add(check);
        if (error == null) {
            error = check + ": " + why;
        } else {
            error = error + "; " + check + ": " + why;
        }
    }

    /** The figures; {@code detail} is the text of the facts (the runner's one formatter). */
    RunFigures figures() {
        Facts f = facts.build();
        return new RunFigures(backupId, sizeBytes, throughput, failed, error, f.isEmpty() ? null : f.toText(), f);
    }
}
