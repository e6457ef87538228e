package io.barmand.process;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs COUNT commands at once, each printing MIB MiB on its standard output, half of them for a parser that reads
 * the whole output (as barman's JSON is read), through one {@link CommandRunner}; prints "flood ok ..." and exits 0
 * when all ended with their output counted and the budget given back. Started in its own JVM with the unit's options
 * by {@link OutputFloodTest} and by bench/output-flood.
 */
public final class OutputFlood {
    private OutputFlood() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        CommandRunner runner = new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(2));
        // JSON-looking lines, as a barman with a huge catalogue or a debug flood would print
        List<String> argv = List.of("sh", "-c", "yes '{\"backup_id\": \"20261124T010203\", \"status\": \"DONE\"},' | head -c "
                + (long) mib * 1024 * 1024 + "; echo done >&2");
        ExecutorService pool = Executors.newFixedThreadPool(count);
        List<Future<String>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean parsed = i % 2 == 1;
            all.add(pool.submit(() -> {
                if (parsed) {
                    CommandRunner.Read<Long> r = runner.run(argv, Duration.ofMinutes(5), null, in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
                    check(r.result());
                    return "read " + (r.value() == null ? r.problem() : r.value() + " bytes");
                }
                CommandResult r = runner.run(argv, Duration.ofMinutes(5));
                check(r);
                return "kept " + r.stdout().length() + " chars";
            }));
        }
        List<String> said = new ArrayList<>();
        for (Future<String> f : all) {
            said.add(f.get());
        }
        pool.shutdown();
        if (OutputBudget.HOST.used() != 0) {
            throw new IllegalStateException("budget not given back: " + OutputBudget.HOST.used());
        }
        Runtime rt = Runtime.getRuntime();
        System.out.println("flood ok: " + count + " x " + mib + " MiB, max heap " + rt.maxMemory() / (1024 * 1024) + " MiB: "
                + String.join("; ", said));
    }

    private static void check(CommandResult r) {
        if (!r.ok() || !r.stderrTail().equals("done\n")) {
            throw new IllegalStateException(r.command() + ": exit " + r.exitCode() + ", stderr " + r.stderrTail());
        }
    }
}
