package io.barmand.config;

import com.typesafe.config.Config;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The retention block of one server: its policy for Barman's catalogue and, when offsite is on, for the bucket.
 *
 * @param local       the policy of the local Barman catalogue
 * @param s3          the policy of the copies in the bucket; empty when offsite is off
 * @param afterBackup a run follows each successful backup (after its offsite copy)
 */
public record RetentionSettings(RetentionPolicy local, Optional<RetentionPolicy> s3, boolean afterBackup) {

    /**
     * Reads {@code retention} of a server block (defaults merged); problems are added as "KEY: what (line N)".
     * Empty when retention is off or there was a problem.
     */
    static Optional<RetentionSettings> read(Config server, String keyPath, ZoneId zone, boolean offsiteOn,
                                            List<String> problems) {
        Config r = server.getConfig("retention");
        if (!r.getBoolean("enabled")) {
            return Optional.empty();
        }
        String k = keyPath + ".retention";
        int before = problems.size();
        List<String> found = new ArrayList<>();
        RetentionPolicy local = RetentionPolicy.read(r.getConfig("local").withFallback(r), k + ".local", zone, found);
        RetentionPolicy s3 = offsiteOn ? RetentionPolicy.read(r.getConfig("s3").withFallback(r), k + ".s3", zone, found) : null;
        problems.addAll(found);
        if (problems.size() > before || local == null || (offsiteOn && s3 == null)) {
            return Optional.empty();
        }
        return Optional.of(new RetentionSettings(local, Optional.ofNullable(s3), r.getBoolean("after-backup")));
    }
}
