package io.barmand.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.barmand.config.JobKind;
import io.barmand.config.MailSettings;
import io.barmand.config.MailSettings.Security;
import io.barmand.config.MailSettings.Transport;
import io.barmand.history.FactNames;
import io.barmand.history.Outcome;
import io.barmand.history.RunFigures;
import io.barmand.history.RunStore;
import io.barmand.history.Trigger;
import io.barmand.job.JobService.Result;
import io.barmand.job.RunOptions;
import io.barmand.mail.Letter;
import io.barmand.mail.Outbox;
import io.barmand.mail.Sender;
import io.barmand.process.CommandRunner;
import io.barmand.testing.Contexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prune-history deletes old runs and, by the same history.keep, the records of mails sent long ago: a host that runs
 * for years doesn't keep one file per report and alert forever, and a mail still waiting is never touched.
 */
class PruneHistoryServiceTest {
    @TempDir
    Path tmp;

    @Test
    void oldRunsAndOldSentMailRecordsGoAWaitingMailStays() throws Exception {
        Path state = tmp.resolve("state");
        Files.createDirectories(state);
        Path down = tmp.resolve("down");
        Path sendmail = tmp.resolve("sendmail");
        Files.writeString(sendmail, "#!/bin/sh\nif [ -e " + down + " ]; then echo 'sendmail: queue full' >&2; exit 75; fi\n"
                + "cat > /dev/null\n");
        Files.setPosixFilePermissions(sendmail, PosixFilePermissions.fromString("rwxr-xr-x"));
        MailSettings ms = new MailSettings(List.of("dba@example.net"), "barmand@backup1.example.net", Optional.empty(),
                Transport.SENDMAIL, sendmail, "", 25, Security.NONE, Optional.empty(), Optional.empty(), Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofMinutes(5));
        Outbox outbox = new Outbox(state, ms, new Sender(ms, new CommandRunner(Clock.systemUTC(), Duration.ofSeconds(1))),
                Clock.systemUTC());
        assertThat(outbox.post(new Letter("report", "[barmand backup1] OK: 1 server", "all is well", Optional.empty(), java.util.Map.of())).sent()).isTrue();
        Files.createFile(down);
        assertThat(outbox.post(new Letter("alert", "[barmand backup1] CRITICAL: pg1 backup", "backup failed", Optional.empty(), java.util.Map.of())).sent()).isFalse();
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofDays(500)));
        for (Path p : jsons(state.resolve("outbox"))) {
            Files.setLastModifiedTime(p, longAgo); // the sent one and the waiting one: only the sent one may go
        }

        try (RunStore store = RunStore.open(state, true)) {
            Instant old = Instant.now().minus(Duration.ofDays(500));
            long a = store.start("pg1", "backup", Trigger.SCHEDULED, old);
            store.finish(a, Outcome.SUCCESS, old.plusSeconds(60), 60_000, RunFigures.NONE);
            long b = store.start("pg1", "backup", Trigger.SCHEDULED, Instant.now().minusSeconds(120));
            store.finish(b, Outcome.SUCCESS, Instant.now().minusSeconds(60), 60_000, RunFigures.NONE);

            Result r = new PruneHistoryService(store, Duration.ofDays(400), List.of(outbox))
                    .execute(Contexts.of(JobKind.PRUNE_HISTORY, "", RunOptions.NONE));

            assertThat(r.success()).isTrue();
            assertThat(r.figures().detail()).matches("1 run\\(s\\) that ended before \\S+ deleted \\(history.keep = 400d\\), "
                    + "1 sent mail record\\(s\\)");
            assertThat(r.figures().facts().count(FactNames.DELETED)).contains(1L);
            assertThat(r.figures().facts().count(FactNames.RECORDS_DELETED)).contains(1L);
            assertThat(store.get(a)).isEmpty();
            assertThat(store.get(b)).isPresent();
        }
        assertThat(jsons(state.resolve("outbox").resolve("sent"))).isEmpty();
        List<Path> waiting = jsons(state.resolve("outbox"));
        assertThat(waiting).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).contains("-alert-"));
        assertThat(waiting.get(0).resolveSibling(waiting.get(0).getFileName().toString().replace(".json", ".eml"))).exists();
    }

    static List<Path> jsons(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }
}
