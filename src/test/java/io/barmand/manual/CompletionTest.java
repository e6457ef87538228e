package io.barmand.manual;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bash completion shipped in the .deb completes our commands, options and job names, in a real bash. */
class CompletionTest {
    @TempDir
    Path tmp;

    /** What the script's function puts in COMPREPLY for a command line whose last word is being completed. */
    String complete(Path script, String... words) throws Exception {
        StringBuilder w = new StringBuilder();
        for (String s : words) {
            w.append(" '").append(s).append("'");
        }
        String sh = "source '" + script + "'\n"
                + "COMP_WORDS=(" + w + ")\n"
                + "COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                + "COMPREPLY=(); _complete_barmand 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process p = new ProcessBuilder("bash", "--norc", "-c", sh).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip();
    }

    @Test
    void theScriptCompletesCommandsOptionsAndJobs() throws Exception {
        Path script = tmp.resolve("barmand");
        Completion.main(new String[] {script.toString()});
        String text = Files.readString(script);
        assertThat(text).doesNotStartWith("#!").contains("complete -F _complete_barmand");
        assertThat(complete(script, "barmand", "sta")).isEqualTo("status");
        assertThat(complete(script, "barmand", "")).contains("run-now", "check-config", "report", "history");
        assertThat(complete(script, "barmand", "run-now", "").lines().toList())
                .containsAll(List.of("check", "switch-wal", "backup", "restore-test", "offsite", "verify", "retention"));
        assertThat(complete(script, "barmand", "run-now", "off")).isEqualTo("offsite");
        assertThat(complete(script, "barmand", "status", "--")).contains("--json", "--check", "--config");
    }
}
