package io.barmand.testing;

import io.barmand.config.OffsiteSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Offsite settings for tests and tools, without a configuration file. */
public final class TestOffsite {
    private TestOffsite() {
    }

    /** Settings for tests and tools: an S3-compatible endpoint, path-style, zstd level 1. */
    public static OffsiteSettings forEndpoint(URI endpoint, String bucket, String prefix, Path spoolDir) {
        return new OffsiteSettings(true, Optional.of(endpoint), "us-east-1", bucket, prefix, true, Optional.empty(), "default",
                OffsiteSettings.ChecksumMode.WHEN_REQUIRED, Optional.empty(), OffsiteSettings.Sse.NONE, Optional.empty(), OffsiteSettings.Codec.ZSTD, 1, 16L << 20,
                100L << 30, 4, 3, Duration.ofMillis(200), Duration.ofMinutes(5), true, spoolDir);
    }
}
