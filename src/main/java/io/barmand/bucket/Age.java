package io.barmand.bucket;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Client-side encryption of offsite objects in the age format (age-encryption.org/v1, X25519 recipients), through
 * Jagged: a random file key wrapped for every recipient, the payload in ChaCha20-Poly1305 chunks of 64 KiB (JDK
 * crypto). Streamed both ways: nothing plain is written anywhere. Debian's {@code age -d -i KEY} reads what this
 * writes, and the other way round.
 */
public final class Age {
    /** The first bytes of every age file (its header's version line). */
    public static final String MAGIC = "age-encryption.org/v1";
    /** The key suffix of an encrypted object. */
    public static final String SUFFIX = ".age";
    /** The word the manifest and the object metadata use. */
    public static final String FORMAT = "age";

    private Age() {
    }

    /**
     * Encrypts what is written into {@code out} to every recipient; {@link OutputStream#close()} writes the last
     * chunk and closes {@code out}. The header is Jagged's, the payload chunks are sealed on several threads and
     * written to {@code out} by another ({@link AgeSealer}): {@code out} need not be thread-safe, it is written by
     * one thread at a time, and closed by the caller's.
     */
    public static OutputStream encrypt(OutputStream out, List<String> recipients) throws IOException {
        List<RecipientStanzaWriter> writers = new ArrayList<>();
        try {
            for (String r : recipients) {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(r));
            }
            return new AgeSealer(out, writers);
        } catch (GeneralSecurityException e) {
            throw new BarmandException(Category.CONFIG, "age encryption: cannot use the recipients: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts {@code in} with the first identity that opens its header. Thrown when none does: a
     * {@link BarmandException} (CONFIG) saying so; a damaged payload fails while it is read, as an IOException.
     */
    public static InputStream decrypt(InputStream in, List<String> identities, String what) throws IOException {
        if (identities.isEmpty()) {
            throw new BarmandException(Category.CONFIG, what + " is encrypted (age): set offsite.encryption.identity-file "
                    + "to a file with an identity of one of its recipients");
        }
        List<RecipientStanzaReader> readers = new ArrayList<>();
        try {
            for (String i : identities) {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(i));
            }
        } catch (GeneralSecurityException e) {
            throw new BarmandException(Category.CONFIG, "age identity not usable: " + e.getMessage(), e);
        }
        try {
            InputStream plain = Channels.newInputStream(new StandardDecryptingChannelFactory()
                    .newDecryptingChannel(readable(in), readers));
            return new java.io.FilterInputStream(plain) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return super.read(b, off, len);
                    } catch (IOException e) {
                        throw new IOException("age payload refused, damaged or cut short (" + e.getMessage() + ")", e);
                    }
                }

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }
            };
        } catch (GeneralSecurityException e) {
            throw new BarmandException(Category.CONFIG, what + ": none of the " + identities.size()
                    + " identity(ies) given opens it (it was encrypted to other recipients; its manifest names them): "
                    + e.getMessage(), e);
        }
    }

    /** {@code in} as a channel, reading straight into the channel's buffer (the JDK's copies 8 KiB at a time). */
    static ReadableByteChannel readable(InputStream in) {
        return new ReadableByteChannel() {
            private boolean open = true;

            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (!dst.hasRemaining()) {
                    return 0;
                }
                if (dst.hasArray()) {
                    int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                    return n;
                }
                byte[] b = new byte[Math.min(dst.remaining(), 1 << 16)];
                int n = in.read(b);
                if (n > 0) {
                    dst.put(b, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() throws IOException {
                if (open) {
                    open = false;
                    in.close();
                }
            }
        };
    }
}
