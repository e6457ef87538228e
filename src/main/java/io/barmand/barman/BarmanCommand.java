package io.barmand.barman;

import com.fasterxml.jackson.databind.JsonNode;
import io.barmand.barman.BarmanClient.Call;
import io.barmand.config.Names;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.process.CommandResult;
import io.barmand.process.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.barmand.barman.BarmanJson.messages;
import static io.barmand.barman.BarmanJson.parse;
import static io.barmand.barman.BarmanJson.seconds;

/**
 * A {@code barman} command: its argv ({@code barman.binary}, {@code -c} the configuration file, {@code -f json})
 * and its call through the {@link CommandRunner}, killed and timed-out runs as exceptions in the admin's words.
 */
final class BarmanCommand {
    private final CommandRunner runner;
    private final Path binary;
    private final Optional<Path> configFile;

    BarmanCommand(CommandRunner runner, Path binary, Optional<Path> configFile) {
        this.runner = runner;
        this.binary = binary;
        this.configFile = configFile;
    }

    /** {@code barman [-c FILE]}: how every command starts. */
    private List<String> barman() {
        List<String> a = new ArrayList<>();
        a.add(binary.toString());
        configFile.ifPresent(f -> {
            a.add("-c");
            a.add(f.toString());
        });
        return a;
    }

    /** The argv of {@code barman -f json ARGS}. */
    List<String> argv(String... args) {
        List<String> a = barman();
        a.add("-f");
        a.add("json");
        a.addAll(List.of(args));
        return a;
    }

    Call call(Duration timeout, String... args) {
        CommandRunner.Read<JsonNode> read = runner.run(argv(args), timeout, null, BarmanJson::readJson);
        CommandResult r = read.result();
        // in messages as an admin would type it, without the "--" that ends the options
        String what = "barman " + String.join(" ", java.util.Arrays.stream(args).filter(x -> !x.equals("--")).toList());
        if (r.interrupted()) {
            throw new BarmandException(Category.INTERRUPTED, what + " interrupted (daemon stopping): killed after "
                    + seconds(r.duration()));
        }
        if (r.timedOut()) {
            throw new BarmandException(Category.TIMEOUT, what + " ran past its timeout of " + seconds(timeout) + ": killed");
        }
        JsonNode json = parse(read, what);
        return new Call(r, json, messages(json));
    }

    /** {@code barman recover [OPTIONS] -- SERVER BACKUP_ID DEST}, on Barman's console output (not JSON), as it ended. */
    CommandResult recover(String server, String backupId, Path dest, List<String> options, Duration timeout) {
        List<String> a = barman();
        Names.backupId(backupId, "barman recover " + server);
        a.add("recover");
        a.addAll(options);
        a.add("--");
        a.add(server);
        a.add(backupId);
        a.add(dest.toString());
        return runner.run(a, timeout);
    }
}
