package io.barmand.offsite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barmand.error.BarmandException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's journal is a file in the spool, whatever name reaches it (SPOOL/...journal was once the state dir's). */
class JournalNameTest {
    @TempDir
    Path spool;

    @Test
    void aNameThatIsNoFileNameNeverBecomesAJournalOutsideTheSpool() {
        for (String bad : new String[] {"..", ".", "a/b", "-h", "../state"}) {
            assertThatThrownBy(() -> new Journal(spool, bad)).as(bad).isInstanceOf(BarmandException.class)
                    .hasMessageContaining("is not a valid server name");
        }
        assertThat(new Journal(spool, "pg-1.main").read()).isEmpty();
    }
}
