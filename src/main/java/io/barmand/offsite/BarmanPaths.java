package io.barmand.offsite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Where Barman keeps a server's backups and WAL, from {@code barman -f json show-servers SERVER}. */
public record BarmanPaths(Path basebackups, Path wals) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Asks Barman; the paths are never guessed. */
    public static BarmanPaths ask(CommandRunner runner, Path binary, Optional<Path> configFile, String server, Duration timeout) {
        List<String> argv = new ArrayList<>();
        argv.add(binary.toString());
        configFile.ifPresent(f -> {
            argv.add("-c");
            argv.add(f.toString());
        });
        argv.addAll(List.of("-f", "json", "show-servers", server));
        CommandResult r = runner.run(argv, timeout);
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, "barman show-servers interrupted (daemon stopping)");
        }
        if (r.timedOut() || !r.ok()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + " failed: exit code "
                    + r.exitCode() + " " + r.stderrTail().strip());
        }
        try {
            return parse(server, JSON.readTree(r.stdout()));
        } catch (IOException e) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server + ": output is not JSON");
        }
    }

    static BarmanPaths parse(String server, JsonNode json) {
        JsonNode s = json.path(server);
        String base = s.path("basebackups_directory").asText("");
        String wals = s.path("wals_directory").asText("");
        if (base.isEmpty() || wals.isEmpty()) {
            throw new BarmandException(Category.JOB_FAILED, "barman show-servers " + server
                    + ": no basebackups_directory / wals_directory in its output");
        }
        return new BarmanPaths(Path.of(base), Path.of(wals));
    }
}
