package io.barmand.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.barmand.config.MailSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import io.barmand.state.StateOwner;
import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every mail barmand sends goes through here: it is written to STATE-DIR/outbox as an .eml file (with a .json of its
 * attempts beside it) before the first try, and stays there until the transport has taken it. A failed try is
 * logged and recorded in the .json, and tried again after {@code mail.retry.initial}, doubling up to
 * {@code mail.retry.max}, forever. A sent mail's .json moves to outbox/sent (its record); the .eml is deleted.
 *
 * <p>A mail is sent only once its attempt is recorded, and marked sent (its .json, beside it) before anything else:
 * a mail whose record cannot be written is not sent (said once, not every 30 s), and one sent whose .eml cannot be
 * removed or whose record cannot move to outbox/sent is never sent again. Run as root (sudo barmand report --send),
 * what it creates in state-dir is given to state-dir's owner, the daemon's user ({@link StateOwner}).
 */
public final class Outbox implements io.barmand.state.KeptRecords {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What became of a mail so far. */
    public record Delivery(String id, String kind, String subject, Instant created, int attempts, boolean sent,
                           Instant sentAt, String lastError, Instant nextAttempt) {
    }

    private final Path dir;
    private final Path sentDir;
    private final MailSettings settings;
    private final Sender sender;
    private final Clock clock;
    private final StateOwner owner;
    /** Mails sent by this process whose .eml could not be removed: never sent again, whatever the disk says. */
    private final java.util.Set<String> sentHere = new java.util.HashSet<>();
    /** Mails already said to be stuck (not sent: their attempt cannot be recorded; sent: their .eml stays). */
    private final java.util.Set<String> told = new java.util.HashSet<>();

    public Outbox(Path stateDir, MailSettings settings, Sender sender, Clock clock) {
        this.dir = stateDir.resolve("outbox");
        this.sentDir = dir.resolve("sent");
        this.settings = settings;
        this.sender = sender;
        this.clock = clock;
        this.owner = StateOwner.of(stateDir);
    }

    public Path dir() {
        return dir;
    }

    /** Where mail goes, for messages: "smtp mail.example.net:587 (starttls)". */
    public String transport() {
        return settings.describe();
    }

    /**
     * Stores {@code letter} for every recipient of {@code mail.to}, then tries to send it once. Never loses it: when
     * the try fails, the returned delivery says why and when it is tried again.
     */
    public synchronized Delivery post(Letter letter) {
        if (!settings.enabled()) {
            throw new BarmandException(Category.CONFIG, "mail.to is empty: no recipient to send \"" + letter.subject() + "\" to");
        }
        Instant now = clock.instant();
        String id = STAMP.format(now) + "-" + letter.kind() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        try {
            owner.createDirectories(dir);
            MimeMessage m = compose(letter, now);
            // its record first, its first retry due later: the daemon's flush never takes a mail being posted
            ObjectNode meta = JSON.createObjectNode();
            meta.put("id", id).put("kind", letter.kind()).put("subject", letter.subject()).put("created", now.toString())
                    .put("attempts", 0).put("to", String.join(", ", settings.to()))
                    .put("nextAttempt", now.plus(settings.retryInitial()).toString());
            writeMetaOrThrow(id, meta);
            Path eml = dir.resolve(id + ".eml");
            Path tmp = dir.resolve(id + ".eml.tmp");
            try (OutputStream o = Files.newOutputStream(tmp)) {
                m.writeTo(o);
            }
            owner.own(tmp);
            move(tmp, eml);
        } catch (IOException | MessagingException e) {
            throw new BarmandException(Category.IO, dir + ": cannot store the mail \"" + letter.subject() + "\": " + e
                    + ownerHint(), e);
        }
        return attempt(id);
    }

    /** Tries every stored mail whose next attempt is due; returns how many were sent. */
    public synchronized int flush() {
        int sent = 0;
        for (String id : ids()) {
            Optional<ObjectNode> meta = readMeta(id);
            if (sentHere.contains(id) || meta.map(m -> m.hasNonNull("sentAt")).orElse(false)) {
                forget(id, meta); // sent already: its .eml could not be removed then
                continue;
            }
            Instant next = meta.map(m -> m.path("nextAttempt").asText(null)).filter(t -> t != null).map(Instant::parse)
                    .orElse(Instant.EPOCH);
            if (!next.isAfter(clock.instant()) && attempt(id).sent()) {
                sent++;
            }
        }
        return sent;
    }

    /** The mails not sent yet, oldest first. */
    public synchronized List<Delivery> pending() {
        List<Delivery> l = new ArrayList<>();
        for (String id : ids()) {
            ObjectNode m = readMeta(id).orElseGet(() -> JSON.createObjectNode().put("id", id));
            if (!m.hasNonNull("sentAt") && !sentHere.contains(id)) {
                l.add(delivery(id, m));
            }
        }
        return l;
    }

    /** The record of a mail, sent or not. */
    public synchronized Optional<Delivery> get(String id) {
        Optional<ObjectNode> m = readMeta(id);
        if (m.isEmpty()) {
            m = read(sentDir.resolve(id + ".json"));
        }
        return m.map(x -> delivery(id, x));
    }

    @Override
    public String what() {
        return "sent mail record(s)";
    }

    /** Removes the records of mails sent before {@code before}. */
    @Override
    public synchronized int prune(Instant before) {
        return prune(sentDir, before) + prune(dir, before);
    }

    /** In sent/ every record; in the outbox, the records of sent mails that could not move to sent/. */
    private int prune(Path in, Instant before) {
        int n = 0;
        if (!Files.isDirectory(in)) {
            return 0;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(in, "*.json")) {
            for (Path p : ds) {
                String id = p.getFileName().toString().replaceFirst("\\.json$", "");
                if (Files.getLastModifiedTime(p).toInstant().isBefore(before) && (in.equals(sentDir)
                        || !Files.exists(dir.resolve(id + ".eml")) && read(p).map(m -> m.hasNonNull("sentAt")).orElse(false))) {
                    Files.deleteIfExists(p);
                    n++;
                }
            }
        } catch (IOException e) {
            log.warn("{}: cannot prune: {}", in, e.getMessage());
        }
        return n;
    }

    private Delivery attempt(String id) {
        Path eml = dir.resolve(id + ".eml");
        ObjectNode meta = readMeta(id).orElseGet(() -> JSON.createObjectNode().put("id", id).put("attempts", 0)
                .put("created", clock.instant().toString()));
        int attempts = meta.path("attempts").asInt(0) + 1;
        Instant now = clock.instant();
        meta.put("attempts", attempts).put("lastAttempt", now.toString()).remove("nextAttempt");
        try {
            // recorded before it goes: a mail whose record cannot be written could not be marked sent either
            writeMetaOrThrow(id, meta);
            told.remove(id);
        } catch (IOException e) {
            Duration wait = backoff(attempts);
            String why = "not sent: its attempt cannot be recorded in " + dir + " (" + e + ")" + ownerHint()
                    + "; a mail barmand cannot mark sent would be sent again and again";
            if (told.add(id)) {
                log.error("mail {} \"{}\": {}", id, meta.path("subject").asText(), why);
            }
            meta.put("lastError", why).put("nextAttempt", now.plus(wait).toString());
            return delivery(id, meta);
        }
        try {
            sender.send(eml);
        } catch (BarmandException e) {
            if (e.category() == Category.INTERRUPTED) {
                writeMeta(id, meta);
                throw e;
            }
            Duration wait = backoff(attempts);
            meta.put("lastError", e.getMessage()).put("nextAttempt", now.plus(wait).toString());
            writeMeta(id, meta);
            log.error("mail {} \"{}\": attempt {} failed: {}; kept in {}, next attempt in {}s", id, meta.path("subject").asText(),
                    attempts, e.getMessage(), dir, wait.toSeconds());
            return delivery(id, meta);
        }
        meta.put("sentAt", now.toString());
        sentHere.add(id);
        // marked sent where its attempt was just recorded, then out of the outbox: never sent twice
        writeMeta(id, meta);
        try {
            Files.deleteIfExists(eml);
            sentHere.remove(id);
        } catch (IOException e) {
            log.error("mail {}: sent, but {} cannot be removed ({}){}: it is not sent again", id, eml, e, ownerHint());
            told.add(id);
        }
        try {
            owner.createDirectories(sentDir);
            Path tmp = sentDir.resolve(id + ".json.tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
            owner.own(tmp);
            move(tmp, sentDir.resolve(id + ".json"));
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            log.warn("mail {}: sent; its record stays in {} (it cannot move to {}: {}){}", id, dir, sentDir, e, ownerHint());
        }
        log.info("mail {} \"{}\" sent to {} through {} (attempt {})", id, meta.path("subject").asText(),
                meta.path("to").asText(String.join(", ", settings.to())), settings.describe(), attempts);
        return delivery(id, meta);
    }

    /** A mail sent already whose .eml stayed: removed now if it can be, said once if not. */
    private void forget(String id, Optional<ObjectNode> meta) {
        try {
            Files.deleteIfExists(dir.resolve(id + ".eml"));
            sentHere.remove(id);
        } catch (IOException e) {
            if (told.add(id)) {
                log.error("mail {}: sent at {}, but its .eml cannot be removed from {} ({}){}: it is not sent again", id,
                        meta.map(m -> m.path("sentAt").asText()).orElse("an earlier attempt"), dir, e, ownerHint());
            }
        }
    }

    /** Why this process cannot write the outbox, when its owner is the cause (a root command of an older version). */
    private String ownerHint() {
        try {
            for (Path p : List.of(dir, sentDir)) {
                if (Files.isDirectory(p) && !Files.isWritable(p)) {
                    return "; " + p + " is owned by " + Files.getOwner(p).getName() + " and not writable by "
                            + System.getProperty("user.name") + " (give it back: chown -R " + System.getProperty("user.name")
                            + ": " + p + ")";
                }
            }
        } catch (IOException | RuntimeException e) {
            // no hint
        }
        return "";
    }

    Duration backoff(int attempts) {
        Duration d = settings.retryInitial();
        for (int i = 1; i < attempts && d.compareTo(settings.retryMax()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : d;
    }

    /** The MIME message: multipart/alternative of text and (multipart/related HTML + inline images). */
    MimeMessage compose(Letter l, Instant now) throws MessagingException {
        MimeMessage m = new MimeMessage(sender.session());
        m.setFrom(new InternetAddress(settings.from()));
        for (String to : settings.to()) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        }
        if (settings.replyTo().isPresent()) {
            m.setReplyTo(new InternetAddress[] {new InternetAddress(settings.replyTo().get())});
        }
        m.setSubject(l.subject(), "UTF-8");
        m.setSentDate(Date.from(now));
        m.setHeader("X-Barmand-Kind", l.kind());
        if (l.html().isEmpty()) {
            m.setText(l.text(), "UTF-8");
        } else {
            MimeMultipart alt = new MimeMultipart("alternative");
            MimeBodyPart text = new MimeBodyPart();
            text.setText(l.text(), "UTF-8");
            alt.addBodyPart(text);
            MimeMultipart related = new MimeMultipart("related");
            MimeBodyPart html = new MimeBodyPart();
            html.setText(l.html().get(), "UTF-8", "html");
            related.addBodyPart(html);
            for (Map.Entry<String, byte[]> img : l.images().entrySet()) {
                MimeBodyPart p = new MimeBodyPart();
                p.setDataHandler(new DataHandler(new ByteArrayDataSource(img.getValue(), "image/png")));
                p.setContentID("<" + img.getKey() + ">");
                p.setDisposition(Part.INLINE);
                p.setFileName(img.getKey() + ".png");
                related.addBodyPart(p);
            }
            MimeBodyPart relatedPart = new MimeBodyPart();
            relatedPart.setContent(related);
            alt.addBodyPart(relatedPart);
            m.setContent(alt);
        }
        m.saveChanges();
        return m;
    }

    private List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.eml")) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                ids.add(n.substring(0, n.length() - 4));
            }
        } catch (IOException e) {
            log.error("{}: cannot list the outbox: {}", dir, e.getMessage());
        }
        ids.sort(null);
        return ids;
    }

    private Delivery delivery(String id, JsonNode m) {
        return new Delivery(id, m.path("kind").asText(null), m.path("subject").asText(null), instant(m, "created"),
                m.path("attempts").asInt(0), m.hasNonNull("sentAt"), instant(m, "sentAt"), m.path("lastError").asText(null),
                instant(m, "nextAttempt"));
    }

    private static Instant instant(JsonNode m, String f) {
        return m.hasNonNull(f) ? Instant.parse(m.get(f).asText()) : null;
    }

    private Optional<ObjectNode> readMeta(String id) {
        return read(dir.resolve(id + ".json"));
    }

    private static Optional<ObjectNode> read(Path p) {
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of((ObjectNode) JSON.readTree(p.toFile()));
        } catch (IOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private void writeMeta(String id, ObjectNode meta) {
        try {
            writeMetaOrThrow(id, meta);
        } catch (IOException e) {
            log.error("mail {}: cannot record the attempt in {}: {}", id, dir, e.getMessage());
        }
    }

    private void writeMetaOrThrow(String id, ObjectNode meta) throws IOException {
        Path tmp = dir.resolve(id + ".json.tmp");
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        owner.own(tmp);
        move(tmp, dir.resolve(id + ".json"));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
