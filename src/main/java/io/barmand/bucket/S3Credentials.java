package io.barmand.bucket;

import io.barmand.config.OffsiteSettings;
import java.nio.file.Path;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * Where the S3 credentials of a server's offsite copies come from, in this order: offsite.credentials-file (its
 * credentials-profile), else the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, e.g. from
 * /etc/default/barmand), else the AWS SDK's default chain, which finds an EC2 instance profile, a web identity
 * token (EKS IRSA: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), container credentials (ECS:
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI), or the profile files of the service's user. The choice is
 * made from the settings and the environment alone: nothing is asked of any service until the first S3 call.
 */
public final class S3Credentials {
    /** What the default chain tries, for the message when it finds nothing. */
    static final String CHAIN = "Java system properties aws.accessKeyId/aws.secretAccessKey; a web identity token "
            + "(AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, as EKS IRSA sets); the profile files of the service's user "
            + "(~/.aws/credentials, AWS_PROFILE); container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or "
            + "_FULL_URI, as ECS sets); the EC2 instance profile (instance metadata service)";

    private S3Credentials() {
    }

    /** The three sources, in the order they are looked for. */
    public enum Source {
        FILE, ENVIRONMENT, DEFAULT_CHAIN
    }

    /** The source chosen for one server's settings, and its words for the log and for messages. */
    public record Choice(Source source, String description) {
        @Override
        public String toString() {
            return description;
        }
    }

    /** The source for {@code s} in this process's environment. */
    public static Choice choose(OffsiteSettings s) {
        return choose(s, System.getenv());
    }

    /** The source for {@code s} given {@code env} (the environment, or a test's). */
    public static Choice choose(OffsiteSettings s, Map<String, String> env) {
        if (s.credentialsFile().isPresent()) {
            return new Choice(Source.FILE, "credentials: file " + s.credentialsFile().get() + " profile " + profile(s));
        }
        boolean id = set(env, "AWS_ACCESS_KEY_ID");
        boolean secret = set(env, "AWS_SECRET_ACCESS_KEY");
        if (id || secret) {
            return new Choice(Source.ENVIRONMENT, "credentials: environment (AWS_ACCESS_KEY_ID"
                    + (set(env, "AWS_SESSION_TOKEN") ? ", AWS_SESSION_TOKEN" : "") + ")"
                    + (id && secret ? "" : ", but " + (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not set"));
        }
        String hint = set(env, "AWS_WEB_IDENTITY_TOKEN_FILE") ? ": web identity token " + env.get("AWS_WEB_IDENTITY_TOKEN_FILE")
                : set(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || set(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
                ? ": container credentials" : set(env, "AWS_PROFILE") ? ": profile " + env.get("AWS_PROFILE")
                : " (instance profile, web identity, container credentials, ~/.aws of the service's user)";
        return new Choice(Source.DEFAULT_CHAIN, "credentials: SDK default chain" + hint);
    }

    /** The SDK's provider for a choice. */
    static AwsCredentialsProvider provider(Choice c, OffsiteSettings s) {
        return switch (c.source()) {
            case FILE -> {
                Path f = s.credentialsFile().orElseThrow();
                yield ProfileCredentialsProvider.builder()
                        .profileFile(ProfileFile.builder().content(f).type(ProfileFile.Type.CREDENTIALS).build())
                        .profileName(profile(s))
                        .build();
            }
            case ENVIRONMENT -> EnvironmentVariableCredentialsProvider.create();
            // one for the process: what it finds (a role's temporary keys) is cached and refreshed across stores
            case DEFAULT_CHAIN -> DefaultCredentialsProvider.create();
        };
    }

    /** Why there are no credentials, what was tried and how to give some: the message of a failed S3 call. */
    static String noneFound(Choice c, OffsiteSettings s) {
        return switch (c.source()) {
            case FILE -> "no credentials: credentials-file " + s.credentialsFile().orElseThrow() + " has no usable profile '"
                    + profile(s) + "' (aws_access_key_id and aws_secret_access_key under [" + profile(s) + "])";
            case ENVIRONMENT -> "no credentials: the environment has AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY but not "
                    + "both: set both (e.g. in /etc/default/barmand), or neither to use offsite.credentials-file or the SDK's "
                    + "default chain";
            case DEFAULT_CHAIN -> "no credentials: offsite.credentials-file is empty, the environment has no "
                    + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the AWS SDK's default chain found none (it tried: "
                    + CHAIN + "). Set offsite.credentials-file to a file (0640 root:barman) holding [" + profile(s)
                    + "] aws_access_key_id = ... and aws_secret_access_key = ..., or AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY in /etc/default/barmand, or give this host an instance role (EC2) or a "
                    + "service account role (EKS IRSA)";
        };
    }

    /** What to check when the store rejects the credentials of a choice. */
    static String rejected(Choice c, OffsiteSettings s) {
        return switch (c.source()) {
            case FILE -> "check credentials-file " + s.credentialsFile().orElseThrow() + " (profile " + profile(s) + ")";
            case ENVIRONMENT -> "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the service's environment "
                    + "(/etc/default/barmand)";
            case DEFAULT_CHAIN -> "check the credentials the SDK's default chain found (instance profile, web identity "
                    + "or container role, ~/.aws of the service's user), or set offsite.credentials-file";
        };
    }

    private static String profile(OffsiteSettings s) {
        return s.credentialsProfile().isEmpty() ? "default" : s.credentialsProfile();
    }

    private static boolean set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }
}
