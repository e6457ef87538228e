package io.barmand.bucket;

import io.barmand.config.OffsiteSettings;
import io.barmand.error.BarmandException;
import io.barmand.error.Category;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.DefaultRetention;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The one S3 client of barmand: configured for S3-compatible stores (endpoint override, path-style, checksum
 * mode as a setting), every call retried with exponential backoff when the failure is transient, and every
 * failure turned into one clear message (credentials, bucket, endpoint).
 */
public class S3Store implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(S3Store.class);

    /** Sleeps between retries; a test passes one that does not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final OffsiteSettings s;
    private final S3Credentials.Choice credentials;
    private final S3Client client;
    private final Sleeper sleeper;

    public S3Store(OffsiteSettings s) {
        this(s, d -> Thread.sleep(d.toMillis()));
    }

    public S3Store(OffsiteSettings s, Sleeper sleeper) {
        this.s = s;
        this.sleeper = sleeper;
        this.credentials = S3Credentials.choose(s);
        var b = S3Client.builder()
                .region(Region.of(s.region()))
                .credentialsProvider(S3Credentials.provider(credentials, s))
                .forcePathStyle(s.pathStyle())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2)))
                .requestChecksumCalculation(s.checksumMode() == OffsiteSettings.ChecksumMode.WHEN_SUPPORTED
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(s.checksumMode() == OffsiteSettings.ChecksumMode.WHEN_SUPPORTED
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                // barmand retries itself (retries.max, retries.initial-backoff), with a message per failure
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(s.requestTimeout()));
        s.endpoint().ifPresent(b::endpointOverride);
        this.client = b.build();
    }

    /** Where this client's credentials come from ("credentials: file F profile P", "environment", "SDK default chain"). */
    public S3Credentials.Choice credentials() {
        return credentials;
    }

    public OffsiteSettings settings() {
        return s;
    }

    public String bucket() {
        return s.bucket();
    }

    // ---- operations, each retried ----

    public void put(String key, Path file, Map<String, String> metadata) {
        put(key, file, metadata, Optional.empty());
    }

    /** Uploads a file, locked when {@code lock} is given; the version id the store gave it (null when unversioned). */
    public String put(String key, Path file, Map<String, String> metadata, Optional<Lock> lock) {
        return call("upload " + key, () -> {
            PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(s.bucket()).key(key).metadata(metadata);
            if (lock.isPresent()) {
                // a locked PUT needs an integrity header: Content-MD5 of the file
                try {
                    b.contentMD5(Hashing.md5Base64(java.nio.file.Files.readAllBytes(file)));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            lock.ifPresent(l -> b.objectLockMode(l.mode()).objectLockRetainUntilDate(l.until()));
            return client.putObject(withSse(b), RequestBody.fromFile(file)).versionId();
        });
    }

    public void put(String key, byte[] bytes, String contentType, Map<String, String> metadata) {
        put(key, bytes, contentType, metadata, Optional.empty());
    }

    /** Uploads bytes, locked when {@code lock} is given; the version id the store gave it (null when unversioned). */
    public String put(String key, byte[] bytes, String contentType, Map<String, String> metadata, Optional<Lock> lock) {
        return call("upload " + key, () -> {
            PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(s.bucket()).key(key).contentType(contentType)
                    .contentMD5(Hashing.md5Base64(bytes)).metadata(metadata);
            lock.ifPresent(l -> b.objectLockMode(l.mode()).objectLockRetainUntilDate(l.until()));
            return client.putObject(withSse(b), RequestBody.fromBytes(bytes)).versionId();
        });
    }

    /** An Object Lock retention: its mode and the instant until which no one may delete or overwrite the version. */
    public record Lock(ObjectLockMode mode, java.time.Instant until) {
        /** The lock of {@code m} until {@code until}, or empty when Object Lock is off. */
        public static Optional<Lock> of(OffsiteSettings.LockMode m, java.time.Instant until) {
            return switch (m) {
                case OFF -> Optional.empty();
                case GOVERNANCE -> Optional.of(new Lock(ObjectLockMode.GOVERNANCE, until));
                case COMPLIANCE -> Optional.of(new Lock(ObjectLockMode.COMPLIANCE, until));
            };
        }

        public String word() {
            return mode.toString().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One stored version of an object (or a delete marker) under a prefix. */
    public record Version(String key, String versionId, long size, java.time.Instant lastModified, boolean latest,
                          boolean deleteMarker) {
    }

    /** Every version and delete marker under {@code prefix}, each key's newest first. */
    public List<Version> versions(String prefix) {
        return call("list versions under " + prefix, () -> {
            List<Version> out = new ArrayList<>();
            for (ListObjectVersionsResponse r : client.listObjectVersionsPaginator(b -> b.bucket(s.bucket()).prefix(prefix))) {
                for (ObjectVersion v : r.versions()) {
                    out.add(new Version(v.key(), v.versionId(), v.size() == null ? 0 : v.size(), v.lastModified(),
                            Boolean.TRUE.equals(v.isLatest()), false));
                }
                for (DeleteMarkerEntry d : r.deleteMarkers()) {
                    out.add(new Version(d.key(), d.versionId(), 0, d.lastModified(), Boolean.TRUE.equals(d.isLatest()), true));
                }
            }
            return out;
        });
    }

    /** The lock of one version (the current one when {@code versionId} is null), or empty when it has none. */
    public Optional<Lock> lockOf(String key, String versionId) {
        return call("read the lock of " + key, () -> {
            HeadObjectResponse h = client.headObject(r -> r.bucket(s.bucket()).key(key).versionId(versionId));
            if (h.objectLockMode() == null || h.objectLockRetainUntilDate() == null) {
                return Optional.empty();
            }
            return Optional.of(new Lock(h.objectLockMode(), h.objectLockRetainUntilDate()));
        });
    }

    /** Sets a version's retain-until to {@code lock} (the caller never asks for a shorter one). */
    public void extendLock(String key, String versionId, Lock lock) {
        call("extend the lock of " + key, () -> client.putObjectRetention(r -> r.bucket(s.bucket()).key(key).versionId(versionId)
                .retention(x -> x.mode(ObjectLockRetentionMode.fromValue(lock.mode().toString()))
                        .retainUntilDate(lock.until()))));
    }

    /** Deletes one version for good (a delete without a version id only adds a delete marker). */
    public void deleteVersion(String key, String versionId) {
        call("delete " + key + " version " + versionId, () -> client.deleteObject(DeleteObjectRequest.builder()
                .bucket(s.bucket()).key(key).versionId(versionId).build()));
    }

    /** One version's bytes, or empty when it is gone. */
    public Optional<byte[]> getBytes(String key, String versionId) {
        return call("download " + key, () -> {
            try {
                return Optional.of(client.getObjectAsBytes(r -> r.bucket(s.bucket()).key(key).versionId(versionId)).asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    /** Opens one version for reading (the current one when {@code versionId} is null). */
    public ResponseInputStream<GetObjectResponse> open(String key, String versionId) {
        return call("download " + key, () -> client.getObject(GetObjectRequest.builder().bucket(s.bucket()).key(key)
                .versionId(versionId).build()));
    }

    /**
     * The bucket's Object Lock configuration in words ("enabled, default retention none"), or empty when the bucket
     * has none (created without Object Lock).
     */
    public Optional<String> lockConfiguration() {
        return call("read the Object Lock configuration of bucket " + s.bucket(), () -> {
            try {
                ObjectLockConfiguration c = client.getObjectLockConfiguration(r -> r.bucket(s.bucket())).objectLockConfiguration();
                if (c == null || c.objectLockEnabled() == null) {
                    return Optional.empty();
                }
                String dflt = "none";
                if (c.rule() != null && c.rule().defaultRetention() != null) {
                    DefaultRetention d = c.rule().defaultRetention();
                    dflt = d.modeAsString() + " " + (d.days() != null ? d.days() + " days" : d.years() + " years");
                }
                return Optional.of(c.objectLockEnabledAsString() + ", default retention " + dflt);
            } catch (S3Exception e) {
                // none, or a store without Object Lock at all (S3Proxy: 501 NotImplemented): not retried
                if ("ObjectLockConfigurationNotFoundError".equals(code(e)) || "NotImplemented".equals(code(e))
                        || e.statusCode() == 501 || e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** The problem with Object Lock on this bucket when {@code offsite.object-lock} is on, or empty. */
    public Optional<String> lockProblem() {
        if (s.objectLock() == OffsiteSettings.LockMode.OFF) {
            return Optional.empty();
        }
        if (lockConfiguration().isEmpty()) {
            return Optional.of("offsite.object-lock.mode = \"" + s.objectLock().word() + "\" but bucket '" + s.bucket()
                    + "' has no Object Lock: create a bucket with it (aws s3api create-bucket --bucket NAME"
                    + " --object-lock-enabled-for-bucket; an existing bucket: enable versioning, then put-object-lock-configuration"
                    + " with ObjectLockEnabled=Enabled), or set object-lock.mode = \"off\"");
        }
        return Optional.empty();
    }

    private PutObjectRequest withSse(PutObjectRequest.Builder b) {
        s.storageClass().ifPresent(b::storageClass);
        if (s.sse() != OffsiteSettings.Sse.NONE) {
            b.serverSideEncryption(ServerSideEncryption.fromValue(s.sse().word()));
            s.kmsKeyId().ifPresent(b::ssekmsKeyId);
        }
        return b.build();
    }

    /** Size and metadata of an object, or empty when there is none. */
    public Optional<HeadObjectResponse> head(String key) {
        return call("check " + key, () -> {
            try {
                return Optional.of(client.headObject(r -> r.bucket(s.bucket()).key(key)));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Size and metadata of one version (the current one when {@code versionId} is null), or empty when it is gone. */
    public Optional<HeadObjectResponse> head(String key, String versionId) {
        if (versionId == null) {
            return head(key);
        }
        return call("check " + key, () -> {
            try {
                return Optional.of(client.headObject(r -> r.bucket(s.bucket()).key(key).versionId(versionId)));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if ((e.statusCode() == 404 || e.statusCode() == 400) && !"NoSuchBucket".equals(code(e))) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public Optional<byte[]> getBytes(String key) {
        return call("download " + key, () -> {
            try {
                return Optional.of(client.getObjectAsBytes(r -> r.bucket(s.bucket()).key(key)).asByteArray());
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    /** Opens an object for reading (not retried: the caller reads it through once). */
    public ResponseInputStream<GetObjectResponse> open(String key) {
        return call("download " + key, () -> client.getObject(GetObjectRequest.builder().bucket(s.bucket()).key(key).build()));
    }

    /**
     * Opens an object for reading, or empty when there is none (not retried once open: the caller reads it through
     * once). Its user metadata comes with it, so that no HEAD is needed first.
     */
    public Optional<ResponseInputStream<GetObjectResponse>> openIfPresent(String key) {
        return call("download " + key, () -> {
            try {
                return Optional.of(client.getObject(GetObjectRequest.builder().bucket(s.bucket()).key(key).build()));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404 && !"NoSuchBucket".equals(code(e))) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    /** Every object under {@code prefix}. */
    public List<S3Object> list(String prefix) {
        return call("list " + prefix, () -> {
            List<S3Object> out = new ArrayList<>();
            client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(s.bucket()).prefix(prefix).build())
                    .contents().forEach(out::add);
            return out;
        });
    }

    public void delete(String key) {
        call("delete " + key, () -> client.deleteObject(DeleteObjectRequest.builder().bucket(s.bucket()).key(key).build()));
    }

    public String createMultipart(String key, Map<String, String> metadata) {
        return createMultipart(key, metadata, Optional.empty());
    }

    /** Starts a multipart upload whose object is locked when {@code lock} is given. */
    public String createMultipart(String key, Map<String, String> metadata, Optional<Lock> lock) {
        return call("start multipart upload of " + key, () -> {
            CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(s.bucket()).key(key)
                    .metadata(metadata).contentType("application/octet-stream");
            lock.ifPresent(l -> b.objectLockMode(l.mode()).objectLockRetainUntilDate(l.until()));
            s.storageClass().ifPresent(b::storageClass);
            if (s.sse() != OffsiteSettings.Sse.NONE) {
                b.serverSideEncryption(ServerSideEncryption.fromValue(s.sse().word()));
                s.kmsKeyId().ifPresent(b::ssekmsKeyId);
            }
            return client.createMultipartUpload(b.build()).uploadId();
        });
    }

    /** Uploads one part from a spooled file with its Content-MD5 (the store checks it); returns the ETag. */
    public String uploadPart(String key, String uploadId, int partNumber, Path file, String md5Base64) {
        return call("upload part " + partNumber + " of " + key, () -> client.uploadPart(UploadPartRequest.builder()
                .bucket(s.bucket()).key(key).uploadId(uploadId).partNumber(partNumber).contentMD5(md5Base64).build(),
                RequestBody.fromFile(file)).eTag());
    }

    /** Completes a multipart upload; the version id of the object (null when the bucket is unversioned). */
    public String completeMultipart(String key, String uploadId, List<CompletedPart> parts) {
        return call("complete multipart upload of " + key, () -> client.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                .bucket(s.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)).build()).versionId());
    }

    public void abortMultipart(String key, String uploadId) {
        call("abort multipart upload of " + key, () -> {
            try {
                client.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(s.bucket()).key(key).uploadId(uploadId).build());
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
            }
            return null;
        });
    }

    /** Multipart uploads started and never completed or aborted, under {@code prefix}. */
    public List<MultipartUpload> listMultipartUploads(String prefix) {
        return call("list multipart uploads under " + prefix, () -> {
            List<MultipartUpload> out = new ArrayList<>();
            String keyMarker = null;
            String idMarker = null;
            while (true) {
                String km = keyMarker;
                String im = idMarker;
                ListMultipartUploadsResponse r = client.listMultipartUploads(b -> b.bucket(s.bucket()).prefix(prefix)
                        .keyMarker(km).uploadIdMarker(im));
                out.addAll(r.uploads());
                if (!Boolean.TRUE.equals(r.isTruncated())) {
                    return out;
                }
                keyMarker = r.nextKeyMarker();
                idMarker = r.nextUploadIdMarker();
            }
        });
    }

    /** Checks at start that the bucket answers with these credentials. */
    public void probe() {
        call("reach bucket " + s.bucket(), () -> client.headBucket(r -> r.bucket(s.bucket())));
    }

    // ---- retries and messages ----

    /**
     * One S3 call, retried when {@link #explain} says the failure is transient: retries.max times, waiting
     * retries.initial-backoff, then twice as long each time (at most 2 min), each retry logged in the admin's words.
     *
     * <p>Ours rather than the SDK's own {@code RetryStrategy} (software.amazon.awssdk.retries: {@code
     * StandardRetryStrategy} with {@code retryOnException(t -> explain(t, s).transientError())} and {@code
     * BackoffStrategy.exponentialDelayWithoutJitter(initial, 2 min)}), weighed for issue 21: the SDK's would not be
     * smaller, and three things would read worse. (1) The warning per retry names the operation ("S3 upload part 3
     * of KEY: the endpoint ... does not answer (...); retry 1/3 in 100 ms"): the SDK's strategy sees the attempt's
     * exception but not what barmand was doing, which would have to travel in a thread-local. (2) The wait is the
     * injected {@link Sleeper}: OffsiteCopyIT checks the backoff 100, 200, 400 ms without waiting; the SDK sleeps
     * itself. (3) An interrupt (the daemon stopping) is checked before every attempt and during the wait and said as
     * INTERRUPTED; the SDK turns it into an AbortedException to be told apart. This method would stay anyway, for the
     * message, its category and "(after N attempts)": the SDK's version is this loop plus a strategy and a hook.
     */
    <T> T call(String what, Supplier<T> op) {
        Duration backoff = s.initialBackoff();
        for (int attempt = 0; ; attempt++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new BarmandException(Category.INTERRUPTED, what + ": interrupted (daemon stopping)");
            }
            try {
                return op.get();
            } catch (SdkException e) {
                Failure f = explain(e, s);
                if (isInterrupt(e)) {
                    Thread.currentThread().interrupt();
                    throw new BarmandException(Category.INTERRUPTED, what + ": interrupted (daemon stopping)", e);
                }
                if (!f.transientError() || attempt >= s.retriesMax()) {
                    String tries = attempt > 0 ? " (after " + (attempt + 1) + " attempts)" : "";
                    throw new BarmandException(f.category(), "S3 " + what + ": " + f.message() + tries, e);
                }
                log.warn("S3 {}: {}; retry {}/{} in {} ms", what, f.message(), attempt + 1, s.retriesMax(), backoff.toMillis());
                try {
                    sleeper.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new BarmandException(Category.INTERRUPTED, what + ": interrupted (daemon stopping)", ie);
                }
                backoff = backoff.multipliedBy(2);
                if (backoff.compareTo(Duration.ofMinutes(2)) > 0) {
                    backoff = Duration.ofMinutes(2);
                }
            }
        }
    }

    private static boolean isInterrupt(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof java.nio.channels.ClosedByInterruptException
                    || t instanceof java.io.InterruptedIOException && !(t instanceof SocketTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** What a failure means for the admin, whether trying again may help, and its category. */
    public record Failure(String message, boolean transientError, Category category) {
    }

    static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    public static Failure explain(SdkException e, OffsiteSettings s) {
        String where = s.where();
        if (e instanceof S3Exception se) {
            String code = code(se);
            int st = se.statusCode();
            if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || "InvalidToken".equals(code)
                    || "ExpiredToken".equals(code) || (st == 403 && code == null)) {
                return new Failure("the store at " + where + " rejected the credentials (" + (code == null ? "403" : code)
                        + "): " + S3Credentials.rejected(S3Credentials.choose(s), s), false, Category.UNAVAILABLE);
            }
            if ("AccessDenied".equals(code)) {
                return new Failure("access denied by " + where + " on bucket '" + s.bucket()
                        + "': the credentials lack permission (s3:PutObject, GetObject, ListBucket, "
                        + "ListMultipartUploads, AbortMultipartUpload; " + S3Credentials.choose(s) + ")", false,
                        Category.UNAVAILABLE);
            }
            if ("NoSuchBucket".equals(code) || (st == 404 && code == null && e.getMessage() != null
                    && e.getMessage().contains("Bucket"))) {
                return new Failure("bucket '" + s.bucket() + "' does not exist at " + where + " (create it, or fix offsite.bucket)",
                        false, Category.UNAVAILABLE);
            }
            if (st >= 500 || st == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code)) {
                return new Failure(where + " answered " + st + (code == null ? "" : " " + code), true, Category.UNAVAILABLE);
            }
            String hint = st == 400 && s.checksumMode() == OffsiteSettings.ChecksumMode.WHEN_SUPPORTED
                    ? " (this store may not take the SDK's checksum trailers: set offsite.checksum-mode = \"when-required\")" : "";
            return new Failure(where + " answered " + st + (code == null ? "" : " " + code) + ": "
                    + (se.awsErrorDetails() == null ? se.getMessage() : se.awsErrorDetails().errorMessage()) + hint, false,
                    Category.JOB_FAILED);
        }
        if (e instanceof SdkClientException) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConnectException || t instanceof java.net.NoRouteToHostException) {
                    return new Failure("the endpoint " + where + " does not answer (" + t.getMessage() + ")", true, Category.UNAVAILABLE);
                }
                if (t instanceof UnknownHostException) {
                    return new Failure("the endpoint " + where + " does not resolve (" + t.getMessage() + ")", true, Category.UNAVAILABLE);
                }
                if (t instanceof SocketTimeoutException) {
                    return new Failure("the endpoint " + where + " timed out (" + t.getMessage() + ")", true, Category.UNAVAILABLE);
                }
                if (t instanceof IOException) {
                    return new Failure("I/O error talking to " + where + ": " + t, true, Category.UNAVAILABLE);
                }
            }
            if (e.getMessage() != null && e.getMessage().contains("Unable to load credentials")) {
                return new Failure(S3Credentials.noneFound(S3Credentials.choose(s), s), false, Category.CONFIG);
            }
            return new Failure(e.getMessage(), true, Category.UNAVAILABLE);
        }
        return new Failure(e.getMessage(), false, Category.JOB_FAILED);
    }

    @Override
    public void close() {
        client.close();
    }

    /** Reads an object through, for hashing. */
    public static long drain(InputStream in, java.security.MessageDigest md) throws IOException {
        byte[] buf = new byte[1 << 16];
        long n = 0;
        for (int r; (r = in.read(buf)) > 0; ) {
            md.update(buf, 0, r);
            n += r;
        }
        return n;
    }
}
