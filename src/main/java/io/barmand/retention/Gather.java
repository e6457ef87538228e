package io.barmand.retention;

import io.barmand.barman.BackupInfo;
import io.barmand.barman.BarmanClient;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.bucket.Catalog;
import io.barmand.bucket.Manifest;
import io.barmand.bucket.S3Store;
import io.barmand.config.JobKind;
import io.barmand.config.OffsiteSettings;
import io.barmand.config.RetentionSettings;
import io.barmand.config.ServerSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.history.FactNames;
import io.barmand.history.Outcome;
import io.barmand.history.RunRecord;
import io.barmand.history.RunStore;
import io.barmand.retention.RetentionService.Plans;
import io.barmand.vocabulary.KeepRegistry;
import io.barmand.vocabulary.RestoreSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What retention judges, gathered touching nothing: the local Barman catalogue (backups, their ends and keeps), the
 * copies in the bucket (their manifests), the restore tests and copies recorded, restore's keeps and retention's own
 * journals; then both plans ({@link RetentionEngine}).
 */
final class Gather {
    private static final Logger log = LoggerFactory.getLogger(Gather.class);
    private static final DateTimeFormatter BACKUP_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
    /** An older barmand's entry (no time noted): its keep's annotation is written at most this long after it. */
    static final Duration LEGACY_KEEP_WINDOW = Duration.ofMinutes(10);

    private final BarmanClient barman;
    private final RunStore store;
    private final Map<String, ServerSettings> servers;
    private final Function<OffsiteSettings, S3Store> stores;
    private final KeepRegistry underTest;
    private final Journals journals;
    private final Clock clock;

    Gather(BarmanClient barman, RunStore store, Map<String, ServerSettings> servers,
           Function<OffsiteSettings, S3Store> stores, KeepRegistry underTest, Journals journals, Clock clock) {
        this.barman = barman;
        this.store = store;
        this.servers = servers;
        this.stores = stores;
        this.underTest = underTest;
        this.journals = journals;
        this.clock = clock;
    }

    /** The plans of {@code server} at {@code now} ({@code retention plan}, and the first step of a run). */
    Plans plans(String server, boolean allowMassDelete, Duration timeout) {
        ServerSettings ss = servers.get(server);
        if (ss == null) {
            throw new BarmandException(Category.USAGE, "unknown server '" + server + "' (servers: "
                    + String.join(", ", new TreeSet<>(servers.keySet())) + ")");
        }
        RetentionSettings rs = ss.retention().orElseThrow(() -> new BarmandException(Category.CONFIG,
                "retention is off for server " + server + ": set servers." + server + ".retention.enabled = true"));
        Instant now = clock.instant();
        Optional<String> barmanPolicy = barman.retentionPolicy(server, timeout);
        // the bucket first: the local plan needs to know which backups have a whole copy
        Map<String, Manifest> copies = new LinkedHashMap<>();
        Map<String, Instant> locks = new LinkedHashMap<>();
        String s3Error = "";
        boolean offsiteOn = ss.offsite().enabled();
        if (offsiteOn) {
            try (S3Store st = stores.apply(ss.offsite())) {
                Catalog cat = new Catalog(st);
                for (String id : cat.copiedBackups(server)) {
                    cat.manifest(server, id).ifPresent(m -> copies.put(id, m));
                }
                if (BucketLocks.on(st)) {
                    locks.putAll(BucketLocks.read(st, server, copies.keySet()));
                }
            } catch (RuntimeException e) {
                s3Error = e.getMessage();
                log.warn("{}: the bucket cannot be read ({}): no backup counts as copied offsite", server, s3Error);
            }
        }
        List<RunRecord> tests = store == null ? List.of()
                : store.lastN(server, JobKind.RESTORE_TEST.id(), Outcome.SUCCESS, 10_000);
        Set<String> passedLocal = new HashSet<>();
        Set<String> passedS3 = new HashSet<>();
        for (RunRecord r : tests) {
            if (r.backupId() != null) {
                (r.facts().text(FactNames.SOURCE).filter(RestoreSource.S3::is).isPresent() ? passedS3 : passedLocal).add(r.backupId());
            }
        }
        // copied offsite: in the bucket now, expired from it by the S3 policy, or a copy run recorded for it
        Set<String> copied = new HashSet<>(copies.keySet());
        if (offsiteOn) {
            copied.addAll(journals.ids(Journals.EXPIRED, server));
            if (store != null) {
                for (RunRecord r : store.lastN(server, JobKind.OFFSITE.id(), Outcome.SUCCESS, 10_000)) {
                    if (r.backupId() != null) {
                        copied.add(r.backupId());
                    }
                }
            }
        }
        Set<String> ours = journals.ids(Journals.KEEPS, server);
        Set<String> underTest = this.underTest.keptBy(server);
        List<Candidate> local = new ArrayList<>();
        Map<String, String> foreign = new LinkedHashMap<>();
        for (BackupSummary b : barman.listBackups(server, timeout)) {
            BarmanClient.Keep keep = barman.keepOf(server, b.backupId(), timeout);
            boolean kept = keep.kept();
            boolean mine = false;
            if (ours.contains(b.backupId())) {
                String why = ownKeep(server, b.backupId(), keep);
                mine = why.isEmpty();
                if (!mine) {
                    foreign.put(b.backupId(), why);
                }
            }
            boolean barmands = kept && (mine || underTest.contains(b.backupId()));
            Instant end = backupTime(server, b, timeout);
            local.add(new Candidate(b.backupId(), end, Candidate.Status.of(b.status()), barmands,
                    passedLocal.contains(b.backupId()), copied.contains(b.backupId()),
                    underTest.contains(b.backupId()) ? Optional.of("restore test") : Optional.empty(), kept && !barmands));
        }
        // a clock that jumped forward shows the newest backup as old: both plans refused
        Optional<String> stale = RetentionEngine.staleNewest(local, now, rs.newestBackupMaxAge());
        Plan lp = RetentionEngine.refuseIf(RetentionEngine.plan(rs.local(), local, now, offsiteOn, allowMassDelete), stale);
        Optional<Plan> sp = Optional.empty();
        if (offsiteOn && rs.s3().isPresent() && s3Error.isEmpty()) {
            List<Candidate> remote = new ArrayList<>();
            for (Map.Entry<String, Manifest> e : copies.entrySet()) {
                remote.add(new Candidate(e.getKey(), copyEnd(e.getValue(), ss.timezone()), Candidate.Status.DONE, false,
                        passedS3.contains(e.getKey()), true, Optional.empty()));
            }
            Plan s3 = RetentionEngine.refuseIf(RetentionEngine.plan(rs.s3().get(), remote, now, false, allowMassDelete), stale);
            // a copy whose Object Lock has not ended is never asked to go: kept, "locked until D"
            sp = Optional.of(BucketLocks.guard(s3, locks, ss.offsite().objectLock().word()));
        }
        return new Plans(server, barmanPolicy, lp, sp, copies, s3Error, foreign, locks);
    }

    /**
     * Why barmand's journal entry of a backup no longer names Barman's keep of it, or "" when it still does: the keep
     * is barmand's only while Barman's target is {@code standalone} (the only one barmand takes) and Barman wrote it
     * when barmand took it. barmand notes the annotation's time after its own {@code barman keep}; a keep released
     * and taken again by hand (or re-taken with the same target) has a later one. An entry of an older barmand, with
     * no time noted, is matched against the time the entry was written (just before its keep): the annotation
     * must be from then to {@link #LEGACY_KEEP_WINDOW} later. When Barman's folders can't be read (the keep from
     * {@code barman keep --status}, without a time), a keep taken again by hand with the same target can't be told
     * apart: the entry is trusted.
     */
    String ownKeep(String server, String id, BarmanClient.Keep keep) {
        if (!keep.kept()) {
            return "Barman has no keep on it any more (released by hand)";
        }
        if (!keep.target().equals("standalone")) {
            return "Barman's keep is now --target " + keep.target() + ", not barmand's standalone one (an admin's)";
        }
        if (keep.since().isEmpty()) {
            return "";
        }
        Instant since = keep.since().get();
        Path entry = journals.entry(Journals.KEEPS, server, id);
        try {
            Optional<Instant> noted = Files.readAllLines(entry).stream().filter(l -> l.startsWith(Journals.ANNOTATION))
                    .map(l -> l.substring(Journals.ANNOTATION.length()).strip()).findFirst().map(Instant::parse);
            if (noted.isPresent()) {
                return Duration.between(noted.get(), since).abs().compareTo(Duration.ofMillis(1)) <= 0 ? ""
                        : "Barman's keep was written again at " + since + " (barmand's at " + noted.get()
                        + "): kept again by hand (an admin's)";
            }
            Instant written = Files.getLastModifiedTime(entry).toInstant();
            return !since.isBefore(written.minusSeconds(2)) && !since.isAfter(written.plus(LEGACY_KEEP_WINDOW)) ? ""
                    : "Barman's keep was written at " + since + ", not when barmand took it (" + written
                    + "): kept again by hand (an admin's)";
        } catch (IOException | DateTimeParseException e) {
            return "barmand's note of it can't be read (" + e.getMessage() + "): taken for an admin's";
        }
    }


    /**
     * The time of a local backup as Barman gives it, never read from its id (Barman names backups in its host's
     * zone, barmand's {@code timezone} is the schedules'): {@code end_time_timestamp} of {@code list-backups}; for a
     * backup without an end (in progress, most FAILED ones) its begin ({@link BarmanClient#beginTime}); else the
     * epoch (oldest of all: such a backup is never in progress long enough to matter to the window, the tiers or the
     * clock guards, and it sorts last).
     */
    private Instant backupTime(String server, BackupSummary b, Duration timeout) {
        if (b.endTimeEpoch() > 0) {
            return Instant.ofEpochSecond(b.endTimeEpoch());
        }
        return barman.beginTime(server, b.backupId(), timeout).orElse(Instant.EPOCH);
    }

    /**
     * The end of a copy: end_time of the backup.info it carries (with its offset), else its begin_time; the time of
     * its id, read in the server's {@code timezone}, only for a copy without backup.info (none of barmand's).
     */
    static Instant copyEnd(Manifest m, ZoneId zone) {
        if (m.backupInfo() != null) {
            BackupInfo info = BackupInfo.parse(m.backupInfo());
            for (String t : new String[] {info.endTime(), info.beginTime()}) {
                if (t != null && !t.isBlank() && !t.equals("None")) {
                    try {
                        return BackupInfo.time(t);
                    } catch (DateTimeParseException e) {
                        // the next
                    }
                }
            }
        }
        return idTime(m.backupId(), zone);
    }

    /** A Barman backup id read as a time in {@code zone}: the last resort of {@link #copyEnd}, never for local backups. */
    static Instant idTime(String id, ZoneId zone) {
        try {
            return LocalDateTime.parse(id, BACKUP_ID).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

}
