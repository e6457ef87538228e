package io.barmand.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.MDC;

/** The appender against a real AF_UNIX datagram socket bound here, standing in for journald's. */
class JournalAppenderTest {
    @TempDir
    Path dir;
    private AFUNIXDatagramSocket journal;
    private LoggerContext ctx;
    private JournalAppender appender;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private Logger log;

    @BeforeEach
    void setUp() throws IOException {
        Path sock = dir.resolve("socket");
        journal = AFUNIXDatagramSocket.newInstance();
        journal.bind(AFUNIXSocketAddress.of(sock));
        journal.setSoTimeout(5000);
        journal.setReceiveBufferSize(1 << 20);
        ctx = new LoggerContext();
        // the MDC that org.slf4j.MDC (and so LogFields) writes to
        ctx.setMDCAdapter(MDC.getMDCAdapter());
        PatternLayoutEncoder enc = new PatternLayoutEncoder();
        enc.setContext(ctx);
        enc.setPattern("%-5level %logger{0}: %msg%n");
        enc.start();
        appender = new JournalAppender();
        appender.setContext(ctx);
        appender.setName("OUT");
        appender.setEncoder(enc);
        appender.setSocket(sock.toString());
        appender.start();
        appender.setOutputStream(console);
        log = ctx.getLogger("io.barmand.run");
        log.addAppender(appender);
        JournalAppender.output(LogOutput.JOURNAL);
    }

    @AfterEach
    void tearDown() throws IOException {
        JournalAppender.output(LogOutput.AUTO);
        appender.stop();
        ctx.stop();
        journal.close();
        MDC.clear();
    }

    @Test
    void aRunsLineCarriesItsFieldsAndGoesOnlyToTheJournal() throws IOException {
        assertThat(appender.sendsToJournal()).isTrue();
        try (LogFields.Scope f = LogFields.run("pg1", "backup", 42)) {
            LogFields.backupId("20261201T020000");
            log.info("run {} pg1 backup (schedule): started", 42);
        }
        log.info("after the run");
        Map<String, String> e = receive();
        assertThat(e).containsEntry("MESSAGE", "run 42 pg1 backup (schedule): started")
                .containsEntry("PRIORITY", "6").containsEntry("SYSLOG_IDENTIFIER", "barmand")
                .containsEntry("SERVER", "pg1").containsEntry("JOB", "backup").containsEntry("RUN_ID", "42")
                .containsEntry("BACKUP_ID", "20261201T020000").containsEntry("LOGGER", "io.barmand.run")
                .containsEntry("THREAD", Thread.currentThread().getName());
        // the scope is closed: the next line names no run
        Map<String, String> after = receive();
        assertThat(after).containsEntry("MESSAGE", "after the run").doesNotContainKeys("SERVER", "JOB", "RUN_ID", "BACKUP_ID");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
        assertThat(console.size()).as("no line also on the console").isZero();
    }

    @Test
    void anExceptionIsSentInTheBinaryFormWithItsStackTrace() throws IOException {
        log.error("upload failed", new IOException("connection reset\nby peer"));
        byte[] d = receiveRaw();
        assertThat(new String(d, StandardCharsets.ISO_8859_1)).startsWith("MESSAGE\n").contains("\nEXCEPTION\n");
        Map<String, String> e = parse(d);
        assertThat(e.get("PRIORITY")).isEqualTo("3");
        assertThat(e.get("MESSAGE")).startsWith("upload failed\njava.io.IOException: connection reset\nby peer")
                .contains("at io.barmand.log.JournalAppenderTest.anExceptionIsSentInTheBinaryFormWithItsStackTrace");
        assertThat(e.get("EXCEPTION")).isEqualTo("java.io.IOException: connection reset\nby peer");
    }

    @Test
    void aHugeMessageIsCutAndTheEntryStaysBounded() throws IOException {
        String big = "é".repeat(100_000);
        log.warn(big);
        byte[] d = receiveRaw();
        assertThat(d.length).isLessThanOrEqualTo(JournalEntry.MAX_ENTRY + 64);
        Map<String, String> e = parse(d);
        assertThat(e.get("MESSAGE")).startsWith("éééé").endsWith("[... 200000 bytes, cut to " + JournalEntry.MAX_VALUE + "]")
                .doesNotContain("\uFFFD");
        assertThat(e).containsEntry("PRIORITY", "4").containsEntry("SYSLOG_IDENTIFIER", "barmand");
    }

    @Test
    void threadsARunStartsCarryItsFields() throws Exception {
        ExecutorService pool;
        try (LogFields.Scope f = LogFields.run("pg2", "offsite", 7)) {
            pool = Executors.newFixedThreadPool(1, LogFields.carrying(Thread::new));
        }
        pool.submit(() -> log.info("part 1 uploaded")).get(5, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(receive()).containsEntry("SERVER", "pg2").containsEntry("JOB", "offsite").containsEntry("RUN_ID", "7");
    }

    @Test
    void aNestedRunPutsBackTheOuterOne() {
        try (LogFields.Scope outer = LogFields.run("pg1", "backup", 1)) {
            LogFields.backupId("20261201T020000");
            try (LogFields.Scope inner = LogFields.run("pg1", "offsite", 2)) {
                assertThat(MDC.get("RUN_ID")).isEqualTo("2");
                assertThat(MDC.get("BACKUP_ID")).isNull();
            }
            assertThat(MDC.get("RUN_ID")).isEqualTo("1");
            assertThat(MDC.get("BACKUP_ID")).isEqualTo("20261201T020000");
        }
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void consoleOutputSendsNothingToTheJournal() throws IOException {
        JournalAppender.output(LogOutput.CONSOLE);
        log.info("to the console");
        assertThat(console.toString(StandardCharsets.UTF_8)).isEqualTo("INFO  run: to the console\n");
        journal.setSoTimeout(200);
        try {
            receiveRaw();
            throw new AssertionError("a datagram reached the journal");
        } catch (SocketTimeoutException expected) {
            // nothing sent
        }
    }

    @Test
    void whenTheSocketIsGoneTheLineGoesToTheConsoleOnce() throws IOException {
        journal.close();
        java.nio.file.Files.delete(dir.resolve("socket"));
        log.info("still told");
        String out = console.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("WARN  JournalAppender: cannot send to the journal's socket").endsWith("INFO  run: still told\n");
        assertThat(out.split("\n")).hasSize(2);
    }

    @Test
    void underAutoTheJournalIsUsedOnlyWhenJournalStreamIsOurStdout() {
        assertThat(JournalAppender.isJournalStream(null, 1)).isFalse();
        assertThat(JournalAppender.isJournalStream("", 1)).isFalse();
        // surefire's stdout is a pipe or file, not the socket JOURNAL_STREAM would name
        assertThat(JournalAppender.isJournalStream("8:1", 1)).isFalse();
        JournalAppender.output(LogOutput.AUTO);
        assertThat(appender.sendsToJournal()).isEqualTo(JournalAppender.isJournalStream(System.getenv("JOURNAL_STREAM"), 1));
    }

    @Test
    void fieldNamesAreMadeValid() {
        assertThat(JournalEntry.fieldName("server")).isEqualTo("SERVER");
        assertThat(JournalEntry.fieldName("_PID")).isEqualTo("PID");
        assertThat(JournalEntry.fieldName("9lives")).isEqualTo("LIVES");
        assertThat(JournalEntry.fieldName("run.id")).isEqualTo("RUN_ID");
        assertThat(JournalEntry.fieldName("___")).isNull();
        assertThat(JournalEntry.fieldName("A".repeat(70))).hasSize(64);
    }

    private Map<String, String> receive() throws IOException {
        return parse(receiveRaw());
    }

    private byte[] receiveRaw() throws IOException {
        byte[] buf = new byte[256 * 1024];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        journal.receive(p);
        return java.util.Arrays.copyOf(buf, p.getLength());
    }

    /** journald's reading of a datagram: NAME=value\n, or NAME\n + 64-bit LE length + value + \n. */
    static Map<String, String> parse(byte[] d) {
        Map<String, String> m = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int start = b.position();
            int i = start;
            while (d[i] != '=' && d[i] != '\n') {
                i++;
            }
            String name = new String(d, start, i - start, StandardCharsets.US_ASCII);
            assertThat(name).matches("[A-Z][A-Z0-9_]{0,63}");
            if (d[i] == '=') {
                int end = i + 1;
                while (d[end] != '\n') {
                    end++;
                }
                m.put(name, new String(d, i + 1, end - i - 1, StandardCharsets.UTF_8));
                b.position(end + 1);
            } else {
                b.position(i + 1);
                long len = b.getLong();
                byte[] v = new byte[(int) len];
                b.get(v);
                assertThat(b.get()).isEqualTo((byte) '\n');
                m.put(name, new String(v, StandardCharsets.UTF_8));
            }
            assertThat(m).as("a field sent twice").hasSize(m.size());
        }
        return m;
    }
}
