package io.barmand.cli;

import io.barmand.config.JobKind;
import java.util.Arrays;
import java.util.Iterator;

/** The job names an admin may type (every {@link JobKind}), for picocli's help: {@code ${COMPLETION-CANDIDATES}}. */
final class JobNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Arrays.stream(JobKind.values()).map(JobKind::id).iterator();
    }
}
