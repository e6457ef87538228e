package io.barmand.offsite;

import io.barmand.config.OffsiteSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Helpers for tests against a real S3 server: a raw client (to create buckets, tamper, look) and settings. */
final class S3Test {
    private S3Test() {
    }

    static S3Client raw(URI endpoint, String access, String secret) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .build();
    }

    static Path credentials(Path dir, String access, String secret) throws java.io.IOException {
        Path f = dir.resolve("s3.credentials");
        Files.writeString(f, "[default]\naws_access_key_id = " + access + "\naws_secret_access_key = " + secret + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    static OffsiteSettings settings(URI endpoint, String bucket, Path dir, String access, String secret) throws java.io.IOException {
        return io.barmand.testing.TestOffsite.forEndpoint(endpoint, bucket, "barmand", dir.resolve("spool"))
                .withCredentialsFile(credentials(dir, access, secret))
                .withParts(5L << 20, 3);
    }
}
