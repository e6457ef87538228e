package io.barmand.bucket;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

public final class Hashing {
    private Hashing() {
    }

    public static MessageDigest sha256() {
        return digest("SHA-256");
    }

    static MessageDigest md5() {
        return digest("MD5");
    }

    private static MessageDigest digest(String a) {
        try {
            return MessageDigest.getInstance(a);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    public static String sha256Hex(byte[] b) {
        return hex(sha256().digest(b));
    }

    static String md5Base64(byte[] b) {
        return Base64.getEncoder().encodeToString(md5().digest(b));
    }
}
