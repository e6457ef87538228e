package io.barmand.manual;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * /usr/share/doc/barmand/copyright names every library pom.xml puts into the shaded jar (its direct dependencies
 * outside the test scope; what they pull in is checked by hand, see packaging/README.md).
 */
class CopyrightFileTest {
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);

    @Test
    void everyBundledDirectDependencyIsListed() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        String copyright = Files.readString(Path.of("packaging/deb/copyright"));
        List<String> bundled = new ArrayList<>();
        Matcher m = DEPENDENCY.matcher(pom.substring(pom.indexOf("<dependencies>"), pom.indexOf("</dependencies>")));
        while (m.find()) {
            String d = m.group(1);
            if (!d.contains("<scope>test</scope>")) {
                bundled.add(tag(d, "groupId") + ":" + tag(d, "artifactId"));
            }
        }
        assertThat(bundled).contains("software.amazon.awssdk:s3", "com.hierynomus:sshj", "org.quartz-scheduler:quartz");
        for (String ga : bundled) {
            String group = ga.substring(0, ga.indexOf(':'));
            String artifact = ga.substring(ga.indexOf(':') + 1);
            // listed by group with its artifacts ("io.prometheus: prometheus-metrics-model, -config, ...")
            assertThat(copyright).as(ga).containsPattern("(?s)" + Pattern.quote(group) + ".{0,200}" + Pattern.quote(
                    artifact.replaceFirst("^prometheus-metrics-", "")));
        }
        assertThat(copyright).startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n");
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">").matcher(xml);
        return m.find() ? m.group(1).trim() : "";
    }
}
