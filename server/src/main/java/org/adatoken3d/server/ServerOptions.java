package org.adatoken3d.server;

import java.nio.file.Path;
import java.time.Duration;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.model.decoder.ChunkedPrefill;

/**
 * How {@link ChatServer} listens and what it accepts.
 *
 * @param host address to bind; loopback unless told otherwise
 * @param port TCP port; 0 picks a free one
 * @param apiKey the bearer key every {@code /v1} and {@code /metrics} request must carry, or null for none
 * @param maxQueue requests that may wait for a slot; one more is refused with 429
 * @param maxBatch sequences decoded together in one pass over the weights (the slots)
 * @param maxBodyBytes largest chat request body
 * @param maxUploadBytes largest scene upload body
 * @param maxTokens most completion tokens one request may ask for
 * @param maxPromptTokens longest prompt (spatial tokens included) the server will prefill
 * @param requestTimeout time limit of one request, queueing included
 * @param maxScenes most scenes the registry holds (uploads beyond that are refused)
 * @param scenesDir folder whose scene folders are served by name, or null
 * @param drain how long shutdown waits for requests in flight before refusing them
 * @param prefillChunk prompt rows prefilled between two decoding steps (at least {@link ChunkedPrefill#MIN_CHUNK_ROWS}): how
 *     long the decoding slots wait for a new prompt, traded against the prefill's speed (each chunk converts and
 *     packs every weight matrix once for its GEMMs)
 */
public record ServerOptions(String host, int port, String apiKey, int maxQueue, int maxBatch, int maxBodyBytes, int maxUploadBytes,
        int maxTokens, int maxPromptTokens, Duration requestTimeout, int maxScenes, Path scenesDir, Duration drain, int prefillChunk) {
    /** The default {@code prefillChunk}. */
    public static final int DEFAULT_PREFILL_CHUNK = 64;

    public ServerOptions {
        if (host == null || host.isBlank()) throw new EngineArgumentException("host", "must name an address, e.g. 127.0.0.1");
        if (port < 0 || port > 65535) throw new EngineArgumentException("port", "must be in [0, 65535], got " + port);
        if (apiKey != null && apiKey.isEmpty()) throw new EngineArgumentException("apiKey", "is empty");
        if (maxQueue < 0) throw new EngineArgumentException("maxQueue", "must be >= 0, got " + maxQueue);
        if (maxBatch < 1) throw new EngineArgumentException("maxBatch", "must be >= 1, got " + maxBatch);
        if (maxBodyBytes < 1024) throw new EngineArgumentException("maxBodyBytes", "must be >= 1024, got " + maxBodyBytes);
        if (maxUploadBytes < 1024) throw new EngineArgumentException("maxUploadBytes", "must be >= 1024, got " + maxUploadBytes);
        if (maxTokens < 1) throw new EngineArgumentException("maxTokens", "must be >= 1, got " + maxTokens);
        if (maxPromptTokens < 1) throw new EngineArgumentException("maxPromptTokens", "must be >= 1, got " + maxPromptTokens);
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new EngineArgumentException("requestTimeout", "must be a positive duration, got " + requestTimeout);
        }
        if (maxScenes < 1) throw new EngineArgumentException("maxScenes", "must be >= 1, got " + maxScenes);
        if (drain == null || drain.isNegative()) throw new EngineArgumentException("drain", "must be >= 0, got " + drain);
        if (prefillChunk < ChunkedPrefill.MIN_CHUNK_ROWS) {
            throw new EngineArgumentException("prefillChunk", "must be >= " + ChunkedPrefill.MIN_CHUNK_ROWS + ", got " + prefillChunk);
        }
    }

    /** As the canonical constructor, with the default prefill chunk. */
    public ServerOptions(String host, int port, String apiKey, int maxQueue, int maxBatch, int maxBodyBytes, int maxUploadBytes, int maxTokens,
            int maxPromptTokens, Duration requestTimeout, int maxScenes, Path scenesDir, Duration drain) {
        this(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout, maxScenes,
                scenesDir, drain, DEFAULT_PREFILL_CHUNK);
    }

    /** Loopback port 8080, no key, 16 waiting, 4 slots, 1 MiB requests, 64 MiB uploads, 512 tokens, 8192-token prompts, 120 s, chunks of 64 prompt rows. */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, null, 16, 4, 1 << 20, 64 << 20, 512, 8192, Duration.ofSeconds(120), 256, null,
                Duration.ofSeconds(10));
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withApiKey(String k) {
        return new ServerOptions(host, port, k, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withQueue(int q) {
        return new ServerOptions(host, port, apiKey, q, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withBatch(int b) {
        return new ServerOptions(host, port, apiKey, maxQueue, b, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withBodyLimits(int body, int upload) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, body, upload, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withTokenLimits(int completion, int prompt) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, completion, prompt, requestTimeout,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withRequestTimeout(Duration t) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, t,
                maxScenes, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withMaxScenes(int n) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                n, scenesDir, drain, prefillChunk);
    }

    public ServerOptions withScenesDir(Path dir) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, dir, drain, prefillChunk);
    }

    public ServerOptions withPrefillChunk(int rows) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, drain, rows);
    }

    public ServerOptions withDrain(Duration d) {
        return new ServerOptions(host, port, apiKey, maxQueue, maxBatch, maxBodyBytes, maxUploadBytes, maxTokens, maxPromptTokens, requestTimeout,
                maxScenes, scenesDir, d, prefillChunk);
    }
}
