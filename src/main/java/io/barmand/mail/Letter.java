package io.barmand.mail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A mail as barmand composes it: a subject, a plain-text part, and optionally an HTML part with the same content
 * and inline PNG images that it names as {@code cid:NAME}.
 *
 * @param kind what it is, for the outbox's file names and the log: "report", "alert", "recovered"
 */
public record Letter(String kind, String subject, String text, Optional<String> html, Map<String, byte[]> images) {
    public Letter {
        images = new LinkedHashMap<>(images);
    }

    public static Letter plain(String kind, String subject, String text) {
        return new Letter(kind, subject, text, Optional.empty(), Map.of());
    }
}
