package org.adatoken3d.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.DoubleStream;
import java.io.PrintStream;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.server.ChatServer;
import org.adatoken3d.server.SceneRegistry;
import org.adatoken3d.server.ServerOptions;

/**
 * {@code bench serve}: a load test of the chat server on loopback. Starts the server in this process on 127.0.0.1 (a
 * free port) and drives it over HTTP. Phase 1: one streaming client sends its requests one after another. Phase 2:
 * the clients send theirs at once; decode tokens/s against phase 1, measured apart from prefill, is what batched
 * decoding buys. Phase 3: the same clients send a mix of valid requests, malformed JSON, unknown scenes, bad prune specs, oversized bodies,
 * clients that leave mid-stream and concurrent scene uploads. Reports p50/p95 time to first token and latency,
 * responses by status, and the server's RSS before and after.
 */
public final class ServeLoadBench {
    private final int clients, requests, maxTokens, maxBatch, prefillChunk;
    private final PrintStream out;
    private final BenchProgress progress;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private int port;
    private final long deadline;

    /** Below this many decode tokens per client in a phase's window, a rate would be noise, not a measurement. */
    static final int MIN_DECODE_TOKENS_PER_CLIENT = 8;

    /** One streamed request as a client sees it; {@code chunkNanos}: arrival of each content chunk (System.nanoTime). */
    record Run(int status, long ttftNanos, long latencyNanos, int completionTokens, long[] chunkNanos) {}

    /** What one phase measured: decode tokens/s (see {@link DecodeWindow}) and completion tokens per second of phase time. */
    record Figures(double decodePerSecond, double endToEndPerSecond) {}

    /**
     * @param clients concurrent clients of phases 2 and 3
     * @param requests requests per client and phase
     * @param maxTokens max_tokens of each request
     * @param maxBatch server slots
     * @param prefillChunk prompt rows the server prefills between two decoding steps
     * @param timeoutSeconds when to give up, in all
     */
    public ServeLoadBench(int clients, int requests, int maxTokens, int maxBatch, int prefillChunk, int timeoutSeconds, PrintStream out, BenchProgress progress) {
        this.clients = clients;
        this.requests = requests;
        this.maxTokens = maxTokens;
        this.maxBatch = maxBatch;
        this.prefillChunk = prefillChunk;
        this.deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        this.out = out;
        this.progress = progress;
    }

    /** Serves {@code llava} as {@code modelId} and runs the three phases, printing as it goes. */
    public void run(Llava3d llava, String modelId) {
        ServerOptions options = ServerOptions.defaults().withPort(0).withBatch(maxBatch).withPrefillChunk(prefillChunk)
                .withQueue(4 * clients).withTokenLimits(Math.max(512, maxTokens), 8192).withBodyLimits(64 << 10, 16 << 20);
        SceneRegistry scenes = new SceneRegistry(64);
        int hidden = llava.model().config().hiddenSize();
        SpatialTokens room = randomScene(64, hidden, 3);
        scenes.register("bench-room", "set", room.count(), l -> room);
        try (KernelBench bandwidth = new KernelBench(1, 3, progress::say); ChatServer server = ChatServer.start(llava, modelId, options, scenes)) {
            port = server.port();
            progress.say(String.format("bench serve: %s on 127.0.0.1:%d, %d slots, prefill chunks of %d rows; warming up", server.modelId(), port,
                    options.maxBatch(), options.prefillChunk()));
            for (int i = 0; i < 3; i++) streamed(body(i, maxTokens));
            statuses.clear();
            // Sampled before the RSS baseline: the first sample allocates the bench's read buffer, which stays to the end.
            double[] before = bandwidth.readBandwidth().samples();
            System.gc();
            long rssBefore = rss(), anonBefore = metric("process_resident_anonymous_bytes"), fileBefore = metric("process_resident_file_bytes");
            long heapBefore = metric("jvm_heap_used_bytes"), committedBefore = metric("jvm_heap_committed_bytes");
            Figures one = phase("1 client", 1);
            Figures many = phase(clients + " clients", clients);
            double[] after = bandwidth.readBandwidth().samples();
            if (Double.isNaN(one.decodePerSecond()) || Double.isNaN(many.decodePerSecond())) {
                out.printf("  decode tokens/s: not measured (see the phases above)%n");
            } else {
                out.printf("  decode tokens/s: %d clients %.2f vs 1 client %.2f = %.2fx%n", clients, many.decodePerSecond(),
                        one.decodePerSecond(), many.decodePerSecond() / one.decodePerSecond());
            }
            out.printf("  completion tokens per second of phase time (prefill included): %d clients %.2f vs 1 client %.2f = %.2fx%n",
                    clients, many.endToEndPerSecond(), one.endToEndPerSecond(), many.endToEndPerSecond() / one.endToEndPerSecond());
            roofline(llava, before, after, one);
            statuses.clear();
            abuse(hidden);
            waitIdle();
            System.gc();
            Thread.sleep(500);
            long rssAfter = rss();
            out.printf("  server RSS: %.1f MiB before the load phases, %.1f MiB after; Java heap in use after a GC: %.1f MiB before, %.1f MiB after%n",
                    rssBefore / 1048576.0, rssAfter / 1048576.0, heapBefore / 1048576.0, metric("jvm_heap_used_bytes") / 1048576.0);
            out.printf("    of the RSS, anonymous (heap, native, stacks) %.1f -> %.1f MiB, with the heap the JVM holds %.1f -> %.1f MiB;"
                    + " mapped weight pages %.1f -> %.1f MiB (clean file pages read so far)%n",
                    anonBefore / 1048576.0, metric("process_resident_anonymous_bytes") / 1048576.0, committedBefore / 1048576.0,
                    metric("jvm_heap_committed_bytes") / 1048576.0, fileBefore / 1048576.0, metric("process_resident_file_bytes") / 1048576.0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("bench serve: a request failed: " + e.getMessage(), e);
        }
    }

    /** The bytes a decoding step reads against the read bandwidth sampled before and after the load phases. */
    private void roofline(Llava3d llava, double[] before, double[] after, Figures one) {
        double[] samples = DoubleStream.concat(Arrays.stream(before), Arrays.stream(after)).sorted().toArray();
        double bandwidth = KernelBench.median(samples);
        long weights = llava.model().decoder().weights().bytesPerDecodedToken();
        out.printf("  roofline: a decoding step reads %.1f MB of weights (every layer matrix and the LM head, once for all the "
                        + "step's sequences); read bandwidth %.1f GB/s (median of %d streaming reads before and after the load phases; %.1f..%.1f): "
                        + "at least %.1f ms per step, at most %.2f steps/s; %s%n",
                weights / 1e6, bandwidth / 1e9, samples.length, samples[0] / 1e9, samples[samples.length - 1] / 1e9, weights / bandwidth * 1e3,
                bandwidth / weights, Double.isNaN(one.decodePerSecond()) ? "1 client's decoding not measured"
                        : String.format("1 client decoded at %.2f of that", one.decodePerSecond() / (bandwidth / weights)));
    }

    /** {@code n} clients, {@code requests} streamed requests each; prints the figures. */
    private Figures phase(String name, int n) throws InterruptedException {
        List<List<Run>> perClient = new ArrayList<>();
        Map<String, Long> engineBefore = engineCounters();
        String loadBefore = loadAverage();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<List<Run>>> futures = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    List<Run> mine = new ArrayList<>();
                    for (int r = 0; r < requests && System.nanoTime() < deadline; r++) mine.add(streamed(body(client * 1000 + r, maxTokens)));
                    return mine;
                }));
            }
            for (Future<List<Run>> f : futures) {
                try {
                    perClient.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a client failed: " + e.getCause(), e.getCause());
                }
            }
        }
        long wallNanos = System.nanoTime() - t0;
        long cpuNanos = processCpuNanos() - cpu0;
        double wall = wallNanos / 1e9;
        List<Run> runs = perClient.stream().flatMap(List::stream).toList();
        long tokens = runs.stream().mapToLong(Run::completionTokens).sum();
        long ok = runs.stream().filter(r -> r.status() == 200).count();
        DecodeWindow window = DecodeWindow.of(perClient.stream()
                .map(c -> c.stream().filter(r -> r.status() == 200 && r.chunkNanos().length > 0)
                        .map(r -> new DecodeWindow.Stream(r.chunkNanos(), r.completionTokens())).toList())
                .toList());
        out.printf("phase %s: %d requests (%d ok) in %.2f s, %d completion tokens%n", name, runs.size(), ok, wall, tokens);
        out.printf("  time to first token p50 %.0f ms, p95 %.0f ms; latency p50 %.0f ms, p95 %.0f ms%n",
                percentile(runs, Run::ttftNanos, 50), percentile(runs, Run::ttftNanos, 95), percentile(runs, Run::latencyNanos, 50),
                percentile(runs, Run::latencyNanos, 95));
        double decodeRate = window.tokens() < MIN_DECODE_TOKENS_PER_CLIENT * n ? Double.NaN : window.perSecond();
        if (Double.isNaN(decodeRate)) {
            out.printf("  decode: not measured: %.0f tokens after first tokens while all %d were decoding, fewer than %d per client"
                    + " (the answers end early: raise --max-tokens or use a model whose answers run longer)%n", window.tokens(), n,
                    MIN_DECODE_TOKENS_PER_CLIENT);
        } else {
            out.printf("  decode: %.0f tokens after first tokens in %.2f s with all %d decoding (%.0f%% of the phase): %.2f tokens/s%n",
                    window.tokens(), window.nanos() / 1e9, n, 100.0 * window.nanos() / wallNanos, decodeRate);
        }
        out.printf("  completion tokens per second of phase time (prefill included): %.2f%n", tokens / wall);
        out.printf("  engine: %s%n", engineProfile(engineBefore, engineCounters()));
        out.printf("  CPU: this process (server and clients) used %.2f of the %d cores; load average %s at the start, %s at the end%n",
                cpuNanos / (double) wallNanos, Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage());
        return new Figures(decodeRate, tokens / wall);
    }

    /** Phase 3: every kind of request a server meets, valid and not, from all clients at once. */
    private void abuse(int hidden) throws InterruptedException {
        List<String> kinds = List.of("valid", "valid-with-scene", "malformed-json", "unknown-scene", "bad-prune", "oversized", "disconnect", "upload",
                "bad-upload");
        AtomicInteger unanswered = new AtomicInteger();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    for (int r = 0; r < requests && System.nanoTime() < deadline; r++) {
                        String kind = kinds.get((client * requests + r) % kinds.size());
                        try {
                            send(kind, client * 1000 + r, hidden);
                        } catch (IOException e) {
                            unanswered.incrementAndGet();
                            count(kind + " -> no answer (" + e.getClass().getSimpleName() + ")");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a client failed: " + e.getCause(), e.getCause());
                }
            }
        }
        out.printf("phase mixed input: %d clients x %d requests in %.2f s; responses by kind and status:%n", clients, requests,
                (System.nanoTime() - t0) / 1e9);
        for (var e : new TreeMap<>(statuses).entrySet()) out.printf("    %-40s %d%n", e.getKey(), e.getValue().get());
        out.printf("  requests without an answer (other than the deliberate disconnects): %d%n", unanswered.get());
    }

    private void send(String kind, int seed, int hidden) throws IOException {
        switch (kind) {
            case "valid" -> count(kind + " -> " + streamed(body(seed, 8)).status());
            case "valid-with-scene" -> {
                ObjectNode b = body(seed, 8);
                b.put("scene", "bench-room");
                b.put("prune", "keep=0.5,layer=1"); // gate after layer 0: valid for any model of 2 layers or more
                count(kind + " -> " + post("/v1/chat/completions", b.toString().getBytes(StandardCharsets.UTF_8)));
            }
            case "malformed-json" -> count(kind + " -> " + post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"cont".getBytes()));
            case "unknown-scene" -> {
                ObjectNode b = body(seed, 8);
                b.put("scene", "no-such-room-" + seed);
                count(kind + " -> " + post("/v1/chat/completions", b.toString().getBytes(StandardCharsets.UTF_8)));
            }
            case "bad-prune" -> {
                ObjectNode b = body(seed, 8);
                b.put("scene", "bench-room");
                b.put("prune", "tau=banana");
                count(kind + " -> " + post("/v1/chat/completions", b.toString().getBytes(StandardCharsets.UTF_8)));
            }
            case "oversized" -> {
                byte[] big = new byte[(64 << 10) + 1];
                Arrays.fill(big, (byte) ' ');
                count(kind + " -> " + post("/v1/chat/completions", big));
            }
            case "disconnect" -> {
                disconnectMidStream(body(seed, 400));
                count(kind + " -> left after 2 chunks");
            }
            case "upload" -> {
                Path f = Files.createTempFile("bench-scene", ".safetensors");
                try {
                    randomScene(32 + seed % 32, hidden, seed).save(f);
                    count(kind + " -> " + post("/v1/scenes", Files.readAllBytes(f)));
                } finally {
                    Files.deleteIfExists(f);
                }
            }
            case "bad-upload" -> count(kind + " -> " + post("/v1/scenes", "definitely not safetensors".getBytes()));
            default -> throw new IllegalStateException(kind);
        }
    }

    private void count(String key) {
        statuses.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private static ObjectNode body(int seed, int maxTokens) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] words = {"where", "is", "the", "red", "chair", "table", "near", "window", "how", "many", "lamps", "door"};
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 6; i++) q.append(i == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
        ObjectNode b = JSON.createObjectNode();
        b.putArray("messages").addObject().put("role", "user").put("content", q + "?");
        b.put("max_tokens", maxTokens);
        b.put("stream", true);
        return b;
    }

    /** A streamed chat request: the arrival of every content chunk, time to the first and to [DONE]. */
    private Run streamed(ObjectNode body) throws IOException {
        long t0 = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        List<Long> chunks = new ArrayList<>();
        int tokens = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: {")) continue;
                long at = System.nanoTime();
                JsonNode c = JSON.readTree(line.substring(6));
                if (c.has("choices") && c.get("choices").size() > 0 && c.at("/choices/0/delta/content").isTextual()
                        && !c.at("/choices/0/delta/content").asText().isEmpty()) {
                    chunks.add(at);
                }
                if (c.has("usage") && c.get("usage").has("completion_tokens")) tokens = c.at("/usage/completion_tokens").asInt();
            }
        }
        long latency = System.nanoTime() - t0;
        long ttft = chunks.isEmpty() ? latency : chunks.getFirst() - t0;
        return new Run(r.statusCode(), ttft, latency, tokens, chunks.stream().mapToLong(Long::longValue).toArray());
    }

    /** The status, and for an error the field it names ("400 prune"), so that the summary shows what was refused. */
    private String post(String path, byte[] body) throws IOException {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofMinutes(5))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() < 400) return Integer.toString(r.statusCode());
            String param = "";
            try {
                JsonNode p = JSON.readTree(r.body()).at("/error/param");
                if (p.isTextual()) param = " " + p.asText();
            } catch (IOException e) {
                param = " (no JSON error)";
            }
            return r.statusCode() + param;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Sends a streamed request on a raw socket and closes it after two chunks. */
    private void disconnectMidStream(ObjectNode body) throws IOException {
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int chunks = 0;
            for (String line; chunks < 2 && (line = in.readLine()) != null; ) if (line.startsWith("data: ")) chunks++;
        }
    }

    private String metrics() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    private long metric(String name) {
        for (String l : metrics().split("\n")) {
            if (l.startsWith(name + " ")) return (long) Double.parseDouble(l.substring(name.length() + 1));
        }
        return -1;
    }

    /** CPU time of this process so far, or 0 where the JVM does not tell. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    /** The machine's 1-minute load average (runnable threads, all users), "?" where there is none. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static final List<String> ENGINE_COUNTERS = List.of("adatoken3d_decode_steps_total", "adatoken3d_decode_rows_total",
            "adatoken3d_decode_step_nanos_total{part=\"matrices\"}", "adatoken3d_decode_step_nanos_total{part=\"attention\"}",
            "adatoken3d_decode_step_nanos_total{part=\"head\"}", "adatoken3d_decode_step_nanos_total{part=\"sampling\"}",
            "adatoken3d_prefill_chunks_total", "adatoken3d_prefill_rows_total", "adatoken3d_prefill_nanos_total");

    private Map<String, Long> engineCounters() {
        Map<String, Long> m = new java.util.HashMap<>();
        for (String name : ENGINE_COUNTERS) m.put(name, metric(name));
        return m;
    }

    /** Where the engine's time went between two readings of its counters. */
    private static String engineProfile(Map<String, Long> before, Map<String, Long> after) {
        java.util.function.ToLongFunction<String> d = name -> after.get(name) - before.get(name);
        long steps = d.applyAsLong("adatoken3d_decode_steps_total"), rows = d.applyAsLong("adatoken3d_decode_rows_total");
        long chunks = d.applyAsLong("adatoken3d_prefill_chunks_total");
        double perStep = steps == 0 ? Double.NaN : 1e6 * steps;
        return String.format("%d decoding steps, %.2f sequences per step; per step %.1f ms matrices, %.1f ms attention, %.1f ms LM head, "
                        + "%.1f ms sampling and streaming; %d prefill chunks (%d rows) taking %.1f s",
                steps, steps == 0 ? 0 : (double) rows / steps, d.applyAsLong("adatoken3d_decode_step_nanos_total{part=\"matrices\"}") / perStep,
                d.applyAsLong("adatoken3d_decode_step_nanos_total{part=\"attention\"}") / perStep,
                d.applyAsLong("adatoken3d_decode_step_nanos_total{part=\"head\"}") / perStep,
                d.applyAsLong("adatoken3d_decode_step_nanos_total{part=\"sampling\"}") / perStep, chunks,
                d.applyAsLong("adatoken3d_prefill_rows_total"), d.applyAsLong("adatoken3d_prefill_nanos_total") / 1e9);
    }

    private void waitIdle() throws InterruptedException {
        for (int i = 0; i < 600 && (metric("adatoken3d_active_slots") > 0 || metric("adatoken3d_queue_length") > 0); i++) Thread.sleep(50);
        out.printf("  after the mixed phase: %d active slots, %d queued, %d cancelled by clients that left%n", metric("adatoken3d_active_slots"),
                metric("adatoken3d_queue_length"), metric("adatoken3d_cancelled_total"));
    }

    private long rss() {
        return metric("process_resident_memory_bytes");
    }

    private static SpatialTokens randomScene(int n, int hidden, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] embeds = new float[n * hidden], xyz = new float[n * 3];
        for (int i = 0; i < embeds.length; i++) embeds[i] = (float) (r.nextDouble() - 0.5) * 0.1f;
        for (int i = 0; i < xyz.length; i++) xyz[i] = (float) r.nextDouble() * 4;
        return new SpatialTokens(n, embeds, xyz);
    }

    private static double percentile(List<Run> runs, java.util.function.ToLongFunction<Run> f, int p) {
        long[] v = runs.stream().mapToLong(f).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))] / 1e6;
    }
}
