package io.barmand.vocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** barmand's version, from the pom.properties Maven puts in the jar ("dev" when run from classes). */
public final class BuildInfo {
    /** The version of the running code. */
    public static final String VERSION = read();

    private BuildInfo() {
    }

    private static String read() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/META-INF/maven/io.barmand/barmand/pom.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
