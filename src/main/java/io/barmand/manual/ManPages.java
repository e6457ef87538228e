package io.barmand.manual;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import io.barmand.cli.Main;
import io.barmand.daemon.Daemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Writes barmand(8) and barmand.conf(5), gzipped as Debian installs them, at build time (the package phase runs this
 * before jdeb): {@code ManPages OUTDIR [VERSION]} makes OUTDIR/man8/barmand.8.gz and OUTDIR/man5/barmand.conf.5.gz.
 * The date is SOURCE_DATE_EPOCH's when set, so that a rebuild of the same sources makes the same pages.
 */
public final class ManPages {
    private ManPages() {
    }

    public static String commandPage(String version, String date) {
        return CommandManPage.render(Main.commandLine(), version, date);
    }

    public static String configPage(String version, String date) {
        return ConfigManPage.render(reference(), ConfigManPage.header(referenceText()), version, date);
    }

    /** reference.conf's text. */
    static String referenceText() {
        try (var in = ManPages.class.getClassLoader().getResourceAsStream("reference.conf")) {
            if (in == null) {
                throw new IllegalStateException("reference.conf is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** reference.conf as parsed, its comments kept. */
    static ConfigObject reference() {
        return ConfigFactory.parseResources(ManPages.class.getClassLoader(), "reference.conf").root();
    }

    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: ManPages OUTDIR [VERSION]");
            System.exit(64);
        }
        Path out = Path.of(args[0]);
        // the build passes the project's version: classes run from target/classes have no pom.properties yet
        String version = args.length > 1 ? args[1] : Daemon.VERSION;
        String date = date(System.getenv("SOURCE_DATE_EPOCH"));
        write(out.resolve("man8/barmand.8.gz"), commandPage(version, date));
        write(out.resolve("man5/barmand.conf.5.gz"), configPage(version, date));
    }

    static String date(String sourceDateEpoch) {
        LocalDate d = sourceDateEpoch == null || sourceDateEpoch.isBlank() ? LocalDate.now(ZoneOffset.UTC)
                : LocalDate.ofEpochDay(Long.parseLong(sourceDateEpoch.trim()) / 86_400);
        return d.toString();
    }

    /** gzip -9n (see {@link Gzip}). */
    static void write(Path file, String page) {
        Gzip.write(file, page.getBytes(StandardCharsets.UTF_8));
    }
}
