package io.barmand.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.barman.BarmanCatalogue;
import io.barmand.barman.BarmanRecords.BackupSummary;
import io.barmand.history.RunRecord;
import io.barmand.history.Sizes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The part of {@code status} about one server's backups: Barman's catalogue beside barmand's records, as the
 * {@code "barman"} object of {@code status --json} and as lines for people, made from the same facts.
 *
 * @param catalogue what Barman holds; empty when it could not be read ({@code error} says why) or was not asked
 * @param taken the backup ids barmand's backup runs recorded
 * @param historySince the oldest run still in the history: a backup that ended before it cannot be told apart from
 *                     one barmand took and whose run was pruned
 * @param lastByBarmand barmand's last successful backup run
 */
record CatalogueView(String server, Optional<BarmanCatalogue> catalogue, String error, Set<String> taken,
                     Optional<Instant> historySince, Optional<RunRecord> lastByBarmand, Instant now,
                     java.time.ZoneId zone) {
    private static final int LISTED = 5;

    /** The DONE backups barmand did not take (newest first), and how many are older than the history. */
    List<String> outside() {
        List<String> l = new ArrayList<>();
        catalogue.ifPresent(c -> c.done().stream().filter(b -> !taken.contains(b.backupId()) && !olderThanHistory(b))
                .forEach(b -> l.add(b.backupId())));
        return l;
    }

    long notJudged() {
        return catalogue.map(c -> c.done().stream().filter(b -> !taken.contains(b.backupId()) && olderThanHistory(b)).count())
                .orElse(0L);
    }

    private boolean olderThanHistory(BackupSummary b) {
        Optional<Instant> end = BarmanCatalogue.ended(b);
        return historySince.isPresent() && end.isPresent() && end.get().isBefore(historySince.get());
    }

    /** Barman's newest DONE backup when barmand did not take it and it is newer than barmand's last. */
    Optional<BackupSummary> newestNotTaken() {
        Optional<BackupSummary> n = catalogue.flatMap(BarmanCatalogue::newestDone);
        if (n.isEmpty() || taken.contains(n.get().backupId())) {
            return Optional.empty();
        }
        String mine = lastByBarmand.map(RunRecord::backupId).orElse(null);
        return mine == null || n.get().backupId().compareTo(mine) > 0 ? n : Optional.empty();
    }

    /** The {@code "barman"} object of status --json. */
    void json(ObjectNode so) {
        ObjectNode o = so.putObject("barman");
        o.put("error", error);
        if (catalogue.isEmpty()) {
            return;
        }
        BarmanCatalogue c = catalogue.get();
        o.put("backups", c.backups().size());
        o.put("done", c.done().size());
        backup(o, "newest", c.newestDone());
        backup(o, "oldest", c.oldestDone());
        if (c.oldestDoneBegin().isPresent()) {
            ObjectNode w = o.putObject("recoveryWindow");
            w.put("from", c.oldestDoneBegin().get().toString());
            w.put("seconds", Duration.between(c.oldestDoneBegin().get(), now).getSeconds());
        } else {
            o.putNull("recoveryWindow");
        }
        o.put("retentionPolicy", c.retentionPolicy().orElse(null));
        if (c.wal().isPresent()) {
            BarmanCatalogue.WalRange r = c.wal().get();
            ObjectNode w = o.putObject("wal");
            w.put("first", r.first());
            w.put("last", r.last());
            w.put("segments", r.segments());
            w.put("lastArchived", r.lastArchived().map(Instant::toString).orElse(null));
            if (r.lastArchived().isPresent()) {
                w.put("lastArchivedAgeSeconds", Duration.between(r.lastArchived().get(), now).getSeconds());
            } else {
                w.putNull("lastArchivedAgeSeconds");
            }
        } else {
            o.putNull("wal");
        }
        ArrayNode out = o.putArray("outsideBarmand");
        outside().forEach(out::add);
        o.put("olderThanHistory", notJudged());
    }

    private void backup(ObjectNode o, String name, Optional<BackupSummary> b) {
        if (b.isEmpty()) {
            o.putNull(name);
            return;
        }
        ObjectNode n = o.putObject(name);
        n.put("backupId", b.get().backupId());
        Optional<Instant> end = BarmanCatalogue.ended(b.get());
        n.put("ended", end.map(Instant::toString).orElse(null));
        if (end.isPresent()) {
            n.put("ageSeconds", Duration.between(end.get(), now).getSeconds());
        } else {
            n.putNull("ageSeconds");
        }
        n.put("sizeBytes", b.get().sizeBytes());
        n.put("takenByBarmand", taken.contains(b.get().backupId()));
    }

    /** The lines for people: the last backup, then Barman's catalogue. */
    List<String> lines() {
        List<String> l = new ArrayList<>();
        Optional<BackupSummary> hand = newestNotTaken();
        if (hand.isPresent()) {
            l.add(server + ": last backup " + summary(hand.get()) + ": Barman's newest, not taken by barmand"
                    + lastByBarmand.map(r -> " (barmand's last: " + r.backupId() + ", finished " + Tables.time(end(r), zone) + ")")
                    .orElse(" (none recorded by barmand)"));
        } else if (lastByBarmand.isPresent()) {
            RunRecord b = lastByBarmand.get();
            l.add(server + ": last backup " + b.backupId() + " (" + (b.sizeBytes() == null ? "?" : Sizes.human(b.sizeBytes()))
                    + "), finished " + Tables.time(end(b), zone) + ", " + Tables.age(Duration.between(end(b), now)) + " ago");
        } else {
            l.add(server + ": no backup recorded by barmand" + (catalogue.isPresent() ? ", none DONE in Barman's catalogue" : ""));
        }
        if (catalogue.isEmpty()) {
            l.add(server + ": Barman: " + (error == null ? "not read" : "cannot read its catalogue: " + error));
            return l;
        }
        BarmanCatalogue c = catalogue.get();
        int notDone = c.backups().size() - c.done().size();
        StringBuilder b = new StringBuilder(server + ": Barman: " + c.done().size() + " DONE backup(s)"
                + (notDone > 0 ? " (and " + notDone + " not DONE)" : ""));
        c.newestDone().ifPresent(n -> b.append(", newest ").append(when(n)));
        if (c.done().size() > 1) {
            c.oldestDone().ifPresent(o -> b.append(", oldest ").append(when(o)));
        }
        l.add(b.toString());
        l.add(server + ": Barman: recovery window reached: " + c.oldestDoneBegin()
                .map(t -> Tables.age(Duration.between(t, now)) + ", back to " + Tables.time(t, zone) + " (the oldest DONE backup's begin)")
                .orElse("none (no DONE backup)")
                + "; retention_policy: " + c.retentionPolicy().orElse("not set"));
        l.add(server + ": Barman: WAL " + c.wal().map(r -> r.first() + " .. " + r.last() + " (" + r.segments() + " segment(s))"
                + r.lastArchived().map(t -> ", the newest archived " + Tables.time(t, zone) + ", " + Tables.age(Duration.between(t, now))
                + " ago").orElse("")).orElse("range unknown (Barman's xlog.db not readable here)"));
        List<String> out = outside();
        long older = notJudged();
        if (!out.isEmpty() || older > 0) {
            l.add(server + ": Barman: " + out.size() + " DONE backup(s) made outside barmand"
                    + (out.isEmpty() ? "" : ": " + String.join(", ", out.subList(0, Math.min(LISTED, out.size())))
                    + (out.size() > LISTED ? " and " + (out.size() - LISTED) + " more" : ""))
                    + (older > 0 ? "; " + older + " older than the history (since " + Tables.time(historySince.get(), zone)
                    + "), not judged" : ""));
        }
        return l;
    }

    private String when(BackupSummary b) {
        Optional<Instant> e = BarmanCatalogue.ended(b);
        return b.backupId() + e.map(t -> " (ended " + Tables.time(t, zone) + ", " + Tables.age(Duration.between(t, now)) + " ago)").orElse("");
    }

    private String summary(BackupSummary b) {
        Optional<Instant> e = BarmanCatalogue.ended(b);
        return b.backupId() + " (" + Sizes.human(b.sizeBytes()) + ")" + e.map(t -> ", finished " + Tables.time(t, zone) + ", "
                + Tables.age(Duration.between(t, now)) + " ago").orElse("");
    }

    private static Instant end(RunRecord r) {
        return r.ended() == null ? r.started() : r.ended();
    }
}
