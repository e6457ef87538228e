package io.barmand.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierArgvTest {
    @Test
    void theOriginalsBarmanRecoverKeepsOfTheConfigurationFilesItRewritesAreNotInTheManifest() {
        // seen in the lab: a primary whose PGDATA holds initdb's postgresql.conf; barman recover rewrote it and kept
        // postgresql.conf.origin, which pg_verifybackup reported as "present on disk but not in the manifest"
        List<String> argv = Verifier.verifyArgv(Path.of("/usr/lib/postgresql/15/bin"), Path.of("/s/backup_manifest"),
                Path.of("/s"), "20261201T174747", List.of());
        assertThat(argv).contains("--ignore=postgresql.conf.origin", "--ignore=postgresql.auto.conf.origin",
                "--ignore=backup_manifest.20261201T174747");
        assertThat(argv.get(0)).isEqualTo("/usr/lib/postgresql/15/bin/pg_verifybackup");
    }
}
