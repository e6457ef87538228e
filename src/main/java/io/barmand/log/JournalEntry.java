package io.barmand.log;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of journald's native protocol (systemd.io/JOURNAL_NATIVE_PROTOCOL): fields {@code NAME=value\n}, or, for
 * a value with a newline, {@code NAME\n} + its length as 64-bit little endian + the value + {@code \n}. Sent as one
 * datagram to /run/systemd/journal/socket.
 *
 * <p>Large entries are not sent through a memfd as sd_journal_send does: each value is cut to {@link #MAX_VALUE}
 * bytes and the whole entry to {@link #MAX_ENTRY}, a cut value ending "[... N bytes cut]", so that a datagram stays
 * well under the socket's send buffer (net.core.wmem_default, 208 KiB on Debian).
 */
public final class JournalEntry {
    /** The largest value sent (a longer one, such as a deep stack trace, is cut). */
    public static final int MAX_VALUE = 48 * 1024;
    /** The largest entry sent: fields past it are left out, MESSAGE and PRIORITY always fit. */
    public static final int MAX_ENTRY = 96 * 1024;

    private final Map<String, byte[]> fields = new LinkedHashMap<>();
    private int size;

    /**
     * Adds a field; {@code name} is made a valid journal field name (upper case, A-Z 0-9 _, not starting with _ or a
     * digit, at most 64 characters) or the field is dropped. A null value is left out. A name given twice keeps the
     * first value. Returns this.
     */
    public JournalEntry add(String name, String value) {
        String n = fieldName(name);
        if (n == null || value == null || fields.containsKey(n)) {
            return this;
        }
        byte[] v = cut(value.getBytes(StandardCharsets.UTF_8), MAX_VALUE);
        int cost = n.length() + v.length + 10;
        if (size + cost > MAX_ENTRY) {
            int room = MAX_ENTRY - size - n.length() - 10;
            if (room < 64) {
                return this;
            }
            v = cut(v, room);
            cost = n.length() + v.length + 10;
        }
        fields.put(n, v);
        size += cost;
        return this;
    }

    /** The datagram. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 16);
        for (Map.Entry<String, byte[]> f : fields.entrySet()) {
            byte[] name = f.getKey().getBytes(StandardCharsets.US_ASCII);
            byte[] v = f.getValue();
            out.writeBytes(name);
            if (contains(v, (byte) '\n')) {
                out.write('\n');
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v.length).array());
            } else {
                out.write('=');
            }
            out.writeBytes(v);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The journal field name for {@code key}, or null when none can be made. */
    static String fieldName(String key) {
        if (key == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (char ch : key.toUpperCase(Locale.ROOT).toCharArray()) {
            b.append(ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ? ch : '_');
        }
        int i = 0;
        while (i < b.length() && (b.charAt(i) == '_' || Character.isDigit(b.charAt(i)))) {
            i++;
        }
        String n = b.substring(i);
        if (n.length() > 64) {
            n = n.substring(0, 64);
        }
        return n.isEmpty() ? null : n;
    }

    /** {@code v} itself when it fits in {@code max} bytes, else its head (whole UTF-8 characters) and what was cut. */
    static byte[] cut(byte[] v, int max) {
        if (v.length <= max) {
            return v;
        }
        byte[] tail = ("\n[... " + v.length + " bytes, cut to " + max + "]").getBytes(StandardCharsets.US_ASCII);
        int keep = Math.max(0, max - tail.length);
        // never split a UTF-8 sequence: back up to the first byte of a character
        while (keep > 0 && (v[keep] & 0xC0) == 0x80) {
            keep--;
        }
        byte[] out = new byte[keep + tail.length];
        System.arraycopy(v, 0, out, 0, keep);
        System.arraycopy(tail, 0, out, keep, tail.length);
        return out;
    }

    private static boolean contains(byte[] v, byte b) {
        for (byte x : v) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }
}
