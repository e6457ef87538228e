package io.barmand.offsite;

import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.ServerPaths;
import java.time.Duration;
import java.util.Optional;

/**
 * What the offsite copy asks of Barman: where a server's backups and WAL are ({@code show-servers}) and its newest
 * DONE backup ({@code list-backups}). The daemon's is {@link #of(BarmanClient, Duration)}; tests give a folder of
 * their own.
 */
public interface BarmanSource {
    ServerPaths paths(String server);

    Optional<String> newestDone(String server);

    static BarmanSource of(BarmanClient barman, Duration timeout) {
        return new BarmanSource() {
            @Override
            public ServerPaths paths(String server) {
                return barman.serverPaths(server, timeout);
            }

            @Override
            public Optional<String> newestDone(String server) {
                return barman.newestDone(server, timeout);
            }
        };
    }
}
