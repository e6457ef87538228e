package io.barmand.barman;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecoverRequestTest {
    private final RecoverRequest base = RecoverRequest.of("pg1", "20261124T010203", Path.of("/scratch/pg1"));

    @Test
    void toTheEndOfTheWalNoOption() {
        assertThat(base.options()).isEmpty();
        assertThat(base.shown()).isEqualTo("barman recover pg1 20261124T010203 /scratch/pg1");
    }

    @Test
    void aTimeInBarmansFormatThenPromote() {
        assertThat(base.toTime(Instant.parse("2026-11-24T01:00:00Z")).options()).containsExactly(
                "--target-time", "2026-11-24 01:00:00.000000+00:00", "--target-action", "promote");
        assertThat(base.toLsn("0/3000060").options()).containsExactly(
                "--target-lsn", "0/3000060", "--target-action", "promote");
    }

    @Test
    void overSshTheHostKeyPinned() {
        RecoverRequest r = base.toLsn("0/3000060").over(new RecoverRequest.Ssh("postgres", "scratch1", 2222,
                Path.of("/etc/barmand/id"), Path.of("/etc/barmand/known_hosts")));
        assertThat(r.options()).containsExactly("--target-lsn", "0/3000060", "--target-action", "promote",
                "--remote-ssh-command", "ssh -p 2222 -i /etc/barmand/id -o UserKnownHostsFile=/etc/barmand/known_hosts"
                        + " -o StrictHostKeyChecking=yes -o BatchMode=yes postgres@scratch1");
    }

    @Test
    void aTimeOrAnLsnNotBoth() {
        assertThatThrownBy(() -> new RecoverRequest("pg1", "x", Path.of("/d"), Optional.of(Instant.EPOCH),
                Optional.of("0/1"), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
    }
}
