package io.barmand.bucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.barmand.config.OffsiteSettings;
import io.barmand.error.Category;
import io.barmand.testing.TestOffsite;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * Which source of S3 credentials is chosen. Nothing here reaches a network: the choice is made from settings and a
 * given environment, and the one test that resolves the default chain runs with the instance metadata service
 * disabled (aws.disableEc2Metadata, set by the pom for every test) and without the variables that would make the
 * chain call anything else (container credentials, web identity).
 */
class S3CredentialsTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void noInstanceMetadata() {
        System.setProperty("aws.disableEc2Metadata", "true");
    }

    static OffsiteSettings noFile() {
        return TestOffsite.forEndpoint(URI.create("http://127.0.0.1:9"), "b", "barmand", tmp.resolve("spool"));
    }

    @Test
    void aCredentialsFileWinsOverTheEnvironment() {
        OffsiteSettings s = noFile().withCredentialsFile(Path.of("/etc/barmand/s3-credentials"));
        S3Credentials.Choice c = S3Credentials.choose(s, Map.of("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S"));
        assertThat(c.source()).isEqualTo(S3Credentials.Source.FILE);
        assertThat(c.description()).isEqualTo("credentials: file /etc/barmand/s3-credentials profile default");
    }

    @Test
    void withoutAFileTheEnvironmentsKeys() {
        S3Credentials.Choice c = S3Credentials.choose(noFile(), Map.of("AWS_ACCESS_KEY_ID", "A", "AWS_SECRET_ACCESS_KEY", "S",
                "AWS_SESSION_TOKEN", "T"));
        assertThat(c.source()).isEqualTo(S3Credentials.Source.ENVIRONMENT);
        assertThat(c.description()).isEqualTo("credentials: environment (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN)");
        assertThat(S3Credentials.provider(c, noFile())).isInstanceOf(EnvironmentVariableCredentialsProvider.class);
    }

    @Test
    void halfAnEnvironmentIsTheEnvironmentAndSaysWhatIsMissing() {
        S3Credentials.Choice c = S3Credentials.choose(noFile(), Map.of("AWS_ACCESS_KEY_ID", "A"));
        assertThat(c.source()).isEqualTo(S3Credentials.Source.ENVIRONMENT);
        assertThat(c.description()).endsWith("but AWS_SECRET_ACCESS_KEY is not set");
        assertThat(S3Credentials.noneFound(c, noFile())).contains("set both");
    }

    @Test
    void neitherFileNorEnvironmentIsTheSdksDefaultChain() {
        S3Credentials.Choice c = S3Credentials.choose(noFile(), Map.of("AWS_ACCESS_KEY_ID", " ", "PATH", "/usr/bin"));
        assertThat(c.source()).isEqualTo(S3Credentials.Source.DEFAULT_CHAIN);
        assertThat(c.description()).isEqualTo("credentials: SDK default chain (instance profile, web identity, "
                + "container credentials, ~/.aws of the service's user)");
        assertThat(S3Credentials.provider(c, noFile())).isInstanceOf(DefaultCredentialsProvider.class);
        // what the chain will find, when the environment tells
        assertThat(S3Credentials.choose(noFile(), Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks/token",
                "AWS_ROLE_ARN", "arn:aws:iam::1:role/barmand")).description())
                .isEqualTo("credentials: SDK default chain: web identity token /var/run/secrets/eks/token");
        assertThat(S3Credentials.choose(noFile(), Map.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x")).description())
                .isEqualTo("credentials: SDK default chain: container credentials");
    }

    @Test
    void aRejectionSaysWhichCredentialsToCheck() {
        OffsiteSettings file = noFile().withCredentialsFile(Path.of("/etc/barmand/s3-credentials"));
        assertThat(S3Credentials.rejected(S3Credentials.choose(file, Map.of()), file))
                .isEqualTo("check credentials-file /etc/barmand/s3-credentials (profile default)");
        assertThat(S3Credentials.rejected(S3Credentials.choose(noFile(), Map.of("AWS_ACCESS_KEY_ID", "A",
                "AWS_SECRET_ACCESS_KEY", "S")), noFile())).startsWith("check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
        assertThat(S3Credentials.rejected(S3Credentials.choose(noFile(), Map.of()), noFile()))
                .contains("the SDK's default chain found", "offsite.credentials-file");
    }

    @Test
    void aFileIsReadWithItsProfile() throws Exception {
        Path f = tmp.resolve("creds");
        Files.writeString(f, "[other]\naws_access_key_id = AK\naws_secret_access_key = SK\n");
        OffsiteSettings s = new OffsiteSettings(true, noFile().endpoint(), "us-east-1", "b", "p", true, Optional.of(f), "other",
                OffsiteSettings.ChecksumMode.WHEN_REQUIRED, Optional.empty(), OffsiteSettings.Sse.NONE, Optional.empty(),
                OffsiteSettings.Codec.ZSTD, 1, 16L << 20, 100L << 30, 4, 3, java.time.Duration.ofMillis(200),
                java.time.Duration.ofMinutes(5), true, tmp.resolve("spool"));
        S3Credentials.Choice c = S3Credentials.choose(s, Map.of());
        assertThat(c.description()).isEqualTo("credentials: file " + f + " profile other");
        var p = S3Credentials.provider(c, s);
        assertThat(p).isInstanceOf(ProfileCredentialsProvider.class);
        assertThat(p.resolveCredentials().accessKeyId()).isEqualTo("AK");
    }

    @Test
    void whenTheDefaultChainFindsNothingTheMessageSaysWhatWasTriedAndHowToConfigure() throws Exception {
        Map<String, String> env = System.getenv();
        for (String v : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            assumeTrue(env.get(v) == null, v + " is set in this environment");
        }
        assumeTrue(System.getProperty("aws.accessKeyId") == null);
        assertThat(System.getProperty("aws.disableEc2Metadata")).isEqualTo("true");
        Path empty = Files.writeString(tmp.resolve("empty-profiles"), "");
        // the chain barmand uses, but reading an empty profile file rather than the ~/.aws of whoever runs the test
        SdkClientException e;
        try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder()
                .profileFile(ProfileFile.builder().content(empty).type(ProfileFile.Type.CREDENTIALS).build()).build()) {
            e = catchThrowableOfType(SdkClientException.class, chain::resolveCredentials);
        }
        assertThat(e).isNotNull();
        S3Store.Failure f = S3Store.explain(e, noFile());
        assertThat(f.transientError()).isFalse();
        assertThat(f.category()).isEqualTo(Category.CONFIG);
        assertThat(f.message()).startsWith("no credentials: offsite.credentials-file is empty, the environment has no "
                        + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the AWS SDK's default chain found none (it tried: ")
                .contains("EC2 instance profile", "web identity token", "container credentials", "~/.aws/credentials")
                .contains("Set offsite.credentials-file to a file (0640 root:barman)", "AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY in /etc/default/barmand", "instance role");
    }
}
