package io.barmand.report;

import io.barmand.config.JobKind;
import io.barmand.config.Settings;
import java.util.Map;
import java.util.Optional;

/** The folders of the report's free-disk section. */
public final class Folders {
    private Folders() {
    }

    /**
     * The folders whose free disk the report shows: each server's Barman folder, the scratch folders of restore tests
     * that are scheduled, the offsite spools, and the state folder.
     */
    public static java.util.function.Supplier<Map<String, java.nio.file.Path>> of(Settings s,
            java.util.function.Function<String, Optional<io.barmand.barman.BarmanRecords.ServerPaths>> paths) {
        return () -> {
            Map<String, java.nio.file.Path> m = new java.util.LinkedHashMap<>();
            for (var ss : s.servers().values()) {
                paths.apply(ss.name()).ifPresent(p -> m.putIfAbsent("Barman " + ss.name(), p.basebackups().getParent()));
                // the scratch folder is this host's when a test is scheduled here (one from S3 always is)
                if (ss.restoreFromS3().isPresent()
                        || !ss.schedules(JobKind.RESTORE_TEST).isEmpty() && ss.restore().scratchHost().isEmpty()) {
                    m.putIfAbsent("scratch " + ss.name(), ss.restore().scratchDir());
                }
                if (ss.offsite().enabled()) {
                    m.putIfAbsent("spool " + ss.name(), ss.offsite().spoolDir());
                }
            }
            m.put("state", s.stateDir());
            return m;
        };
    }

}
