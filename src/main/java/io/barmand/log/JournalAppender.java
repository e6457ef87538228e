package io.barmand.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The console appender of barmand that, under systemd, sends each event to journald's native socket instead, as
 * one entry with fields: MESSAGE (with the stack trace of an exception), PRIORITY, SYSLOG_IDENTIFIER (barmand),
 * LOGGER, THREAD, EXCEPTION (its class and message), every field of the MDC (SERVER, JOB, RUN_ID, BACKUP_ID: see
 * {@link LogFields}) and, with {@code includeCallerData}, CODE_FILE, CODE_LINE and CODE_FUNC. So
 * {@code journalctl -u barmand SERVER=pg1 JOB=backup} lists one server's backups.
 *
 * <p>Each event goes one way only, never both (no line twice in the journal). Which way is {@link #output}: AUTO
 * (the default until the configuration is read) uses the journal when the JOURNAL_STREAM that systemd sets names
 * this appender's stdout or stderr; JOURNAL whenever the socket exists; CONSOLE never. An event the socket refuses
 * is written to the console instead, with a notice the first time.
 */
public class JournalAppender extends ConsoleAppender<ILoggingEvent> {
    public static final String SOCKET = "/run/systemd/journal/socket";
    private static final CopyOnWriteArrayList<JournalAppender> STARTED = new CopyOnWriteArrayList<>();
    private static volatile LogOutput output = LogOutput.AUTO;

    private String socket = SOCKET;
    private String identifier = "barmand";
    private boolean includeCallerData;
    private volatile boolean journalIsOurStream;
    private volatile boolean native_;
    private volatile boolean failing;
    private AFUNIXDatagramChannel channel;
    private AFUNIXSocketAddress address;

    /** Where every barmand appender sends its events from now on (barmand.log.output, once the file is read). */
    public static void output(LogOutput o) {
        output = o == null ? LogOutput.AUTO : o;
        STARTED.forEach(JournalAppender::decide);
    }

    /** "journal (native, /run/systemd/journal/socket)" or "console": where the appenders send now, for the log. */
    public static String describe() {
        for (JournalAppender a : STARTED) {
            if (a.native_) {
                return "journal (native protocol, " + a.socket + ", barmand.log.output = " + output.word() + ")";
            }
        }
        return "console (barmand.log.output = " + output.word() + ")";
    }

    public void setSocket(String socket) {
        this.socket = socket;
    }

    public void setIdentifier(String identifier) {
        this.identifier = identifier;
    }

    public void setIncludeCallerData(boolean b) {
        this.includeCallerData = b;
    }

    @Override
    public void start() {
        super.start();
        journalIsOurStream = isJournalStream(System.getenv("JOURNAL_STREAM"), "System.err".equals(getTarget()) ? 2 : 1);
        STARTED.add(this);
        decide();
    }

    @Override
    public void stop() {
        STARTED.remove(this);
        synchronized (this) {
            closeChannel();
        }
        super.stop();
    }

    /** Whether events go to the journal now. */
    public boolean sendsToJournal() {
        return native_;
    }

    private synchronized void decide() {
        boolean want = switch (output) {
            case CONSOLE -> false;
            case JOURNAL -> true;
            case AUTO -> journalIsOurStream;
        };
        native_ = want && Files.exists(Path.of(socket));
        if (!native_) {
            closeChannel();
        }
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        if (native_) {
            try {
                send(entry(event).encode());
                failing = false;
                return;
            } catch (IOException | RuntimeException e) {
                if (!failing) {
                    failing = true;
                    super.subAppend(notice(event, e));
                }
            }
        }
        super.subAppend(event);
    }

    private synchronized void send(byte[] datagram) throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = AFUNIXDatagramChannel.open();
            address = AFUNIXSocketAddress.of(Path.of(socket));
        }
        try {
            channel.send(ByteBuffer.wrap(datagram), address);
        } catch (IOException e) {
            closeChannel();
            throw e;
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing: nothing to keep
            }
            channel = null;
        }
    }

    /** The journal entry of one event. */
    JournalEntry entry(ILoggingEvent e) {
        IThrowableProxy tp = e.getThrowableProxy();
        String message = e.getFormattedMessage();
        if (tp != null) {
            message = message + "\n" + ThrowableProxyUtil.asString(tp);
        }
        JournalEntry j = new JournalEntry()
                .add("MESSAGE", message)
                .add("PRIORITY", Integer.toString(priority(e.getLevel())))
                .add("SYSLOG_IDENTIFIER", identifier);
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc != null) {
            mdc.forEach(j::add);
        }
        j.add("LOGGER", e.getLoggerName()).add("THREAD", e.getThreadName());
        if (tp != null) {
            j.add("EXCEPTION", tp.getClassName() + (tp.getMessage() == null ? "" : ": " + tp.getMessage()));
        }
        if (includeCallerData) {
            StackTraceElement[] cd = e.getCallerData();
            if (cd != null && cd.length > 0) {
                j.add("CODE_FILE", cd[0].getFileName()).add("CODE_LINE", Integer.toString(cd[0].getLineNumber()))
                        .add("CODE_FUNC", cd[0].getClassName() + "." + cd[0].getMethodName());
            }
        }
        return j;
    }

    /** syslog's priority of a level: 3 error, 4 warning, 6 info, 7 debug. */
    public static int priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }

    /**
     * Whether {@code journalStream} (JOURNAL_STREAM, "DEVICE:INODE" of the journal's stream socket) is file
     * descriptor {@code fd} of this process, read from /proc/self/fd ("socket:[INODE]"). When /proc cannot tell,
     * a JOURNAL_STREAM that is set is taken as ours.
     */
    static boolean isJournalStream(String journalStream, int fd) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        String inode = journalStream.substring(journalStream.indexOf(':') + 1).trim();
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.equals("socket:[" + inode + "]");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true;
        }
    }

    private ILoggingEvent notice(ILoggingEvent like, Exception e) {
        ch.qos.logback.classic.spi.LoggingEvent n = new ch.qos.logback.classic.spi.LoggingEvent();
        n.setLevel(Level.WARN);
        n.setLoggerName(JournalAppender.class.getName());
        n.setThreadName(like.getThreadName());
        n.setTimeStamp(like.getTimeStamp());
        n.setMessage("cannot send to the journal's socket " + socket + " (" + e + "): this and later lines go to the "
                + "console until it answers again");
        if (getContext() instanceof ch.qos.logback.classic.LoggerContext lc) {
            n.setLoggerContext(lc);
        }
        return n;
    }
}
