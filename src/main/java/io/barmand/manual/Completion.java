package io.barmand.manual;

import io.barmand.cli.Main;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Writes the bash completion of barmand from its command tree at build time (the package phase runs this before
 * jdeb, which installs it as /usr/share/bash-completion/completions/barmand): {@code Completion FILE}. Subcommands,
 * options and the job names of run-now come from the picocli model, so the script cannot disagree with the commands.
 * zsh users can load it too ({@code autoload -U bashcompinit && bashcompinit; source FILE}).
 */
public final class Completion {
    private Completion() {
    }

    /**
     * The bash script, as picocli's AutoComplete makes it for our command line, without its "#!" line: bash-completion
     * sources the file, it is not run (lintian: bash-completion-with-hashbang).
     */
    public static String bash() {
        String s = AutoComplete.bash("barmand", Main.commandLine());
        return s.startsWith("#!") ? s.substring(s.indexOf('\n') + 1) : s;
    }

    public static void main(String[] args) throws java.io.IOException {
        if (args.length != 1) {
            System.err.println("usage: Completion FILE");
            System.exit(64);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, bash(), StandardCharsets.UTF_8);
    }
}
