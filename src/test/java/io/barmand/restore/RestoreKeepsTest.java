package io.barmand.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreKeepsTest {
    @TempDir
    Path state;

    @Test
    void theKeepsOfAServerAreItsJournalEntries() throws Exception {
        RestoreKeeps keeps = RestoreKeeps.in(state);
        assertThat(keeps.keptBy("pg1")).isEmpty();
        Path j = Files.createDirectories(keeps.journal());
        Files.writeString(j.resolve("pg1@20261124T010203.keep"), "x\n");
        Files.writeString(j.resolve("pg2@20261124T010203.keep"), "x\n");
        Files.writeString(j.resolve("pg1@not-an-id.keep"), "x\n");
        assertThat(keeps.keptBy("pg1")).containsExactly("20261124T010203");
    }
}
