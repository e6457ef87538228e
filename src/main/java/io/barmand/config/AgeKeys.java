package io.barmand.config;

import com.exceptionfactory.jagged.bech32.Bech32;
import com.exceptionfactory.jagged.x25519.X25519KeyFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;

/**
 * The text of age X25519 keys (age-encryption.org/v1): recipients ({@code age1...}, public) and identities
 * ({@code AGE-SECRET-KEY-1...}, secret), as age-keygen writes them. Checked when the configuration is read; the
 * streams themselves are io.barmand.bucket.Age's.
 */
public final class AgeKeys {
    private AgeKeys() {
    }

    /**
     * The identities of an identity file in age-keygen's format: one {@code AGE-SECRET-KEY-1...} a line, {@code #}
     * comments and blank lines ignored. Thrown (CONFIG, naming the file and line) for anything else or for none.
     */
    public static List<String> readIdentities(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BarmandException(Category.CONFIG, file + ": cannot read the age identity file: " + e.getMessage(), e);
        }
        return parseIdentities(file.toString(), lines);
    }

    public static List<String> parseIdentities(String where, List<String> lines) {
        List<String> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String l = lines.get(n).trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (!l.startsWith("AGE-SECRET-KEY-1")) {
                throw new BarmandException(Category.CONFIG, where + " line " + (n + 1)
                        + ": not an age X25519 identity (AGE-SECRET-KEY-1...; the line is not shown)");
            }
            try {
                recipientOf(l);
            } catch (IllegalArgumentException e) {
                throw new BarmandException(Category.CONFIG, where + " line " + (n + 1) + ": " + e.getMessage());
            }
            out.add(l);
        }
        if (out.isEmpty()) {
            throw new BarmandException(Category.CONFIG, where + ": no age identity in it (AGE-SECRET-KEY-1... lines)");
        }
        return List.copyOf(out);
    }

    /** The recipient (age1...) of an identity (AGE-SECRET-KEY-1...). */
    public static String recipientOf(String identity) {
        try {
            return new X25519KeyFactory().translateKey(new SecretKeySpec(identity.getBytes(StandardCharsets.US_ASCII),
                    "X25519")).toString();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid age identity (bad bech32 or key): " + e.getMessage(), e);
        }
    }

    /** A new identity and its recipient. */
    public record KeyPairText(String identity, String recipient) {
    }

    public static KeyPairText generate() {
        try {
            KeyPair kp = new X25519KeyPairGenerator().generateKeyPair();
            return new KeyPairText(kp.getPrivate().toString(), kp.getPublic().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 key generation: " + e.getMessage(), e);
        }
    }

    /** What is wrong with a recipient's text, or empty when it is an age X25519 recipient. */
    public static Optional<String> recipientProblem(String r) {
        if (!r.startsWith("age1")) {
            return Optional.of("\"" + r + "\" is not an age X25519 recipient (age1...)");
        }
        try {
            var a = Bech32.getDecoder().decode(r);
            if (!"age".contentEquals(a.getHumanReadablePart()) || a.getData().length != 32) {
                return Optional.of("\"" + r + "\" is not an age X25519 recipient (age1... with a 32-byte key)");
            }
        } catch (RuntimeException e) {
            return Optional.of("\"" + r + "\" is not a valid age recipient: bad bech32 (" + e.getMessage() + ")");
        }
        return Optional.empty();
    }
}
