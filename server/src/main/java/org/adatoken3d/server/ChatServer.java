package org.adatoken3d.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/**
 * An OpenAI-compatible HTTP server over one {@link Llava3d}: {@code /v1/models}, {@code /v1/chat/completions}
 * (streaming as server-sent events or not), {@code /v1/scenes}, {@code /health}, {@code /metrics} and the web page at
 * {@code /}. Built on the JDK's own {@code com.sun.net.httpserver} with a virtual thread per request; the model runs
 * on the {@link BatchEngine}'s one thread, which decodes concurrent requests together.
 */
public final class ChatServer implements AutoCloseable {
    /** Static files of the web page, by request path. */
    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/view3d.js", "view3d.js", "/style.css", "style.css");

    /** The page's Content-Security-Policy: its own scripts, styles and API only; the icon is an empty data: URL. */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

    private final Llava3d llava;
    private final String modelId;
    private final ServerOptions options;
    private final SceneRegistry scenes;
    private final Metrics metrics = new Metrics();
    private final BatchEngine engine;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final byte[] keyDigest;
    private final long started = System.currentTimeMillis() / 1000;
    private volatile boolean draining;

    private ChatServer(Llava3d llava, String modelId, ServerOptions options, SceneRegistry scenes) throws IOException {
        this.llava = llava;
        this.modelId = modelId;
        this.options = options;
        this.scenes = scenes;
        this.keyDigest = options.apiKey() == null ? null : sha256(options.apiKey().getBytes(StandardCharsets.UTF_8));
        this.engine = new BatchEngine(llava, options, metrics);
        try {
            this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        } catch (IOException e) {
            engine.close();
            throw e;
        }
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    /**
     * Starts serving {@code llava} under the id {@code modelId} (the model folder's name) with {@code scenes}; the
     * caller keeps owning {@code llava} and closes it after this server.
     */
    public static ChatServer start(Llava3d llava, String modelId, ServerOptions options, SceneRegistry scenes) {
        try {
            return new ChatServer(llava, modelId, options, scenes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
    }

    /** The port it listens on (the one picked when the options asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    public String modelId() {
        return modelId;
    }

    BatchEngine engine() {
        return engine;
    }

    /**
     * Stops taking requests (new ones get 503), lets those in flight finish for up to the drain time, refuses the rest
     * with 503 and closes the listener.
     */
    public void shutdown() {
        draining = true;
        try {
            engine.shutdown(options.drain().toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Give the request threads a moment to write what the engine posted last.
        http.stop(1);
        executor.shutdown();
    }

    @Override
    public void close() {
        shutdown();
    }

    private void handle(HttpExchange ex) {
        int status = 200;
        try {
            status = route(ex);
        } catch (ApiException e) {
            status = e.status();
            sendError(ex, e);
        } catch (RuntimeException e) {
            ApiException internal = BatchEngine.asApiError(e);
            status = internal.status();
            sendError(ex, internal);
        } catch (IOException e) {
            // The client went away while we wrote to it: nothing left to tell it.
            status = 499;
        } finally {
            metrics.response(status);
            ex.close();
        }
    }

    /** Dispatches by path and method; returns the status sent. */
    private int route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/health")) {
            ObjectNode h = Replies.JSON.createObjectNode();
            h.put("status", draining ? "draining" : "ok");
            h.put("model", modelId);
            h.put("active", engine.active());
            h.put("queued", engine.waiting());
            return sendJson(ex, draining ? 503 : 200, h);
        }
        if (PAGES.containsKey(path)) {
            if (!method.equals("HEAD")) requireMethod(method, "GET");
            return sendPage(ex, PAGES.get(path), method.equals("HEAD"));
        }
        if (!path.startsWith("/v1/") && !path.equals("/metrics")) {
            throw ApiException.notFound(null, "not_found", "no such endpoint: " + method + " " + path);
        }
        authorize(ex);
        if (path.equals("/metrics")) {
            requireMethod(method, "GET");
            byte[] body = metrics.render(engine.waiting(), engine.active(), options.maxBatch()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            return 200;
        }
        if (path.equals("/v1/models")) {
            requireMethod(method, "GET");
            ObjectNode list = Replies.JSON.createObjectNode();
            list.put("object", "list");
            list.putArray("data").add(model());
            return sendJson(ex, 200, list);
        }
        if (path.startsWith("/v1/models/")) {
            requireMethod(method, "GET");
            String id = path.substring("/v1/models/".length());
            if (!id.equals(modelId)) throw ApiException.notFound("model", "model_not_found", "no model '" + id + "'; this server serves '" + modelId + "'");
            return sendJson(ex, 200, model());
        }
        if (path.equals("/v1/chat/completions")) {
            requireMethod(method, "POST");
            return chat(ex);
        }
        if (path.equals("/v1/scenes")) {
            if (method.equals("POST")) return upload(ex);
            requireMethod(method, "GET");
            ObjectNode list = Replies.JSON.createObjectNode();
            list.put("object", "list");
            ArrayNode data = list.putArray("data");
            for (SceneRegistry.Entry e : scenes.list()) data.add(scene(e));
            return sendJson(ex, 200, list);
        }
        if (path.startsWith("/v1/scenes/")) {
            requireMethod(method, "GET");
            return scenePoints(ex, path.substring("/v1/scenes/".length()));
        }
        throw ApiException.notFound(null, "not_found", "no such endpoint: " + method + " " + path);
    }

    private ObjectNode model() {
        ObjectNode m = Replies.JSON.createObjectNode();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", started);
        m.put("owned_by", "adatoken3d");
        return m;
    }

    private static ObjectNode scene(SceneRegistry.Entry e) {
        ObjectNode s = Replies.JSON.createObjectNode();
        s.put("id", e.id());
        s.put("object", "scene");
        s.put("origin", e.origin());
        Integer t = e.tokenCount();
        if (t == null) s.putNull("tokens");
        else s.put("tokens", t);
        s.put("encoded", e.encoded());
        return s;
    }

    /** {@code GET /v1/scenes/{id}}: the scene, encoded if it was not, with its token positions for the 3D view. */
    private int scenePoints(HttpExchange ex, String id) throws IOException {
        SceneRegistry.Entry e = scenes.get(id);
        SpatialTokens tokens = engine.call(() -> e.tokens(llava));
        ObjectNode s = scene(e);
        if (tokens.xyz() == null) {
            s.putNull("xyz");
        } else {
            ArrayNode xyz = s.putArray("xyz");
            for (float v : tokens.xyz()) xyz.add(Math.round(v * 1000) / 1000.0);
        }
        return sendJson(ex, 200, s);
    }

    private int upload(HttpExchange ex) throws IOException {
        if (draining) throw ApiException.unavailable("shutting_down", "the server is shutting down");
        byte[] body = readBody(ex, options.maxUploadBytes());
        if (body.length == 0) throw ApiException.badRequest("body", "the body must be a spatial-token safetensors file ('embeds' or 'features', optional 'xyz')");
        SceneRegistry.Entry e = scenes.upload(body, file -> engine.call(() -> llava.spatialTokens(file)));
        ObjectNode s = scene(e);
        return sendJson(ex, 200, s);
    }

    private int chat(HttpExchange ex) throws IOException {
        if (draining) throw ApiException.unavailable("shutting_down", "the server is shutting down");
        byte[] body = readBody(ex, options.maxBodyBytes());
        JsonNode json;
        try {
            json = Replies.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(null, "the body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")" : ""));
        }
        CompletionRequest r = CompletionRequest.parse(json, options.maxTokens());
        if (r.model() != null && !r.model().equals(modelId)) {
            throw ApiException.notFound("model", "model_not_found", "no model '" + r.model() + "'; this server serves '" + modelId + "'");
        }
        SceneRegistry.Entry scene = r.scene() == null ? null : scenes.get(r.scene());
        Job job = new Job(r, scene, options.requestTimeout().toNanos());
        engine.submit(job);
        byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        String id = "chatcmpl-" + HexFormat.of().formatHex(random);
        long created = System.currentTimeMillis() / 1000;
        // The engine enforces the time limit; this wait only guards against an engine that stopped answering.
        long patience = options.requestTimeout().toNanos() + options.drain().toNanos() + 5_000_000_000L;
        try {
            return r.stream() ? stream(ex, job, id, created, patience) : whole(ex, job, id, created, patience);
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted", "interrupted");
        } catch (IOException | RuntimeException e) {
            job.cancel();
            throw e;
        }
    }

    private int whole(HttpExchange ex, Job job, String id, long created, long patience) throws IOException, InterruptedException {
        long until = System.nanoTime() + patience;
        while (true) {
            Job.Event e = job.next(until - System.nanoTime());
            switch (e) {
                case null -> throw ApiException.unavailable("timeout", "the engine did not answer in time");
                case Job.Event.Failed f -> throw f.error();
                case Job.Event.Done d -> {
                    return sendJson(ex, 200, Replies.completion(id, created, modelId, d.completion(), job.request));
                }
                default -> {
                    // Started and text pieces: the whole answer comes with Done.
                }
            }
        }
    }

    /**
     * Server-sent events: headers once prefill is done (so a request refused at prefill still gets its status), then
     * a {@code chat.completion.chunk} per piece of text and {@code data: [DONE]}. A write that fails means the client
     * left: the job is cancelled and its slot freed at the next step.
     */
    private int stream(HttpExchange ex, Job job, String id, long created, long patience) throws IOException, InterruptedException {
        long until = System.nanoTime() + patience;
        Job.Event first = job.next(until - System.nanoTime());
        if (first == null) throw ApiException.unavailable("timeout", "the engine did not answer in time");
        if (first instanceof Job.Event.Failed f) throw f.error();
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        event(out, Replies.delta(id, created, modelId, "assistant", "", null));
        Job.Event e = first;
        while (true) {
            if (e instanceof Job.Event.Text t) {
                event(out, Replies.delta(id, created, modelId, null, t.piece(), null));
            } else if (e instanceof Job.Event.Done d) {
                ObjectNode last = Replies.delta(id, created, modelId, null, null, d.completion().finishReason());
                last.set("usage", Replies.usage(d.completion()));
                last.set("adatoken", Replies.adatoken(d.completion(), job.request));
                event(out, last);
                if (job.request.includeUsage()) {
                    ObjectNode usage = Replies.chunk(id, created, modelId);
                    usage.putArray("choices");
                    usage.set("usage", Replies.usage(d.completion()));
                    event(out, usage);
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                return 200;
            } else if (e instanceof Job.Event.Failed f) {
                // Headers are gone: the error travels as an event, as OpenAI's streams do.
                event(out, Replies.error(f.error()));
                return f.error().status();
            }
            e = job.next(until - System.nanoTime());
            if (e == null) {
                job.cancel();
                event(out, Replies.error(ApiException.unavailable("timeout", "the engine did not answer in time")));
                return 503;
            }
        }
    }

    private static void event(OutputStream out, ObjectNode json) throws IOException {
        out.write(("data: " + Replies.JSON.writeValueAsString(json) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void authorize(HttpExchange ex) {
        if (keyDigest == null) return;
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
        // Digests of equal length compared in constant time: neither the key's length nor its prefix leaks.
        if (!MessageDigest.isEqual(keyDigest, sha256(given.getBytes(StandardCharsets.UTF_8)))) throw ApiException.unauthorized();
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed", method + " is not allowed here; use " + expected);
        }
    }

    /** The body, refused with 413 past {@code limit} bytes (read no further than needed to say so). */
    private static byte[] readBody(HttpExchange ex, int limit) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest(null, "Content-Length '" + length + "' is not a number");
            }
            if (declared > limit) throw tooLarge(ex, limit);
        }
        InputStream in = ex.getRequestBody();
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) throw tooLarge(ex, limit);
        return body;
    }

    private static ApiException tooLarge(HttpExchange ex, int limit) {
        // Read (a bounded amount of) what the client is still sending, so that it gets to read the 413 rather than a reset.
        try (InputStream in = ex.getRequestBody()) {
            long drained = 0;
            byte[] sink = new byte[65536];
            for (int n; drained < 4L * limit + (8 << 20) && (n = in.read(sink)) > 0; ) drained += n;
        } catch (IOException | RuntimeException ignored) {
            // The client may already be gone; the 413 is sent anyway.
        }
        return ApiException.tooLarge("the request body is larger than the server's limit of " + limit + " bytes");
    }

    /** A file of the web page; for HEAD its headers only. */
    private int sendPage(HttpExchange ex, String name, boolean headOnly) throws IOException {
        byte[] body;
        try (InputStream in = ChatServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) throw ApiException.notFound(null, "not_found", "no page " + name);
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        // Nothing on the page may come from elsewhere, run inline, or be framed by another site.
        ex.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        if (headOnly) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return 200;
        }
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return 200;
    }

    private static int sendJson(HttpExchange ex, int status, JsonNode json) throws IOException {
        byte[] body = Replies.JSON.writeValueAsBytes(json);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        return status;
    }

    private static void sendError(HttpExchange ex, ApiException e) {
        try {
            if (e.status() == 401) ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            sendJson(ex, e.status(), Replies.error(e));
        } catch (IOException | RuntimeException ignored) {
            // Headers already sent (a stream) or the client is gone: nothing more can be said.
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
