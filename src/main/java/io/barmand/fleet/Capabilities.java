package io.barmand.fleet;

import io.barmand.config.OffsiteSettings;
import io.barmand.config.ServerSettings;
import io.barmand.config.Settings;
import io.barmand.vocabulary.Capability;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Set;

/** What this node can run, read from its settings and its disk: what its heartbeat declares. */
public final class Capabilities {
    private Capabilities() {
    }

    public static Set<Capability> of(Settings s) {
        Set<Capability> out = EnumSet.noneOf(Capability.class);
        if (!s.servers().isEmpty()) {
            out.add(Capability.BACKUP);
        }
        for (ServerSettings ss : s.servers().values()) {
            OffsiteSettings o = ss.offsite();
            // the bucket, and the identity when copies are encrypted
            boolean readable = o != null && o.enabled() && (o.encryption().recipients().isEmpty()
                    || o.encryption().identityFile().filter(Files::isReadable).isPresent());
            if (readable) {
                out.add(Capability.VERIFY_S3);
                if (ss.restore() != null && Files.isExecutable(ss.restore().pgBinDir().resolve("pg_ctl"))) {
                    out.add(Capability.RESTORE_TEST_S3);
                }
            }
        }
        if (s.mail().enabled() || !s.webhooks().isEmpty()) {
            out.add(Capability.REPORT);
            out.add(Capability.WATCH);
        }
        return out;
    }
}
