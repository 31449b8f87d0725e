package org.adatoken3d.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.weights.DType;

/** Models, scenes and an HTTP client for the server's tests. */
final class TestServers {
    static final Path SPATIALQA = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static final Path HELDOUT = SPATIALQA.resolve("heldout-questions.json");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestServers() {}

    /** The trained spatial-QA model (answers held-out questions) with its calibrated profile. */
    static Llava3d spatialQa() {
        return Llava3d.open(SPATIALQA.resolve("model"), EngineOptions.defaults());
    }

    /** A seeded random tiny checkpoint: random weights seldom produce EOS, so answers run to max_tokens. */
    static Llava3d synthetic(Path dir) {
        try {
            if (!Files.exists(dir.resolve("config.json"))) new SyntheticCheckpoint(SynthPreset.TINY, null, DType.F32, 5).write(dir, b -> {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Llava3d.open(dir, EngineOptions.defaults());
    }

    /** The held-out split's scenes as {@code heldout-0 ..}, as {@code serve --scene-set} registers them. */
    static SceneRegistry heldoutScenes() {
        SceneRegistry scenes = new SceneRegistry(64);
        SceneSet set = QuestionSet.read(HELDOUT).readScenes();
        for (int i = 0; i < set.size(); i++) {
            int scene = i;
            scenes.register("heldout-" + i, "set", set.tokens(i), llava -> set.spatialTokens(scene, llava.projector()));
        }
        return scenes;
    }

    /** Holds the engine thread until released, so that the requests sent meanwhile are admitted together. */
    static CountDownLatch holdEngine(BatchEngine engine) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1), held = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> engine.call(() -> {
            held.countDown();
            release.await();
            return null;
        }));
        held.await();
        return release;
    }

    static ServerOptions options() {
        return ServerOptions.defaults().withPort(0);
    }

    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    static Reply post(ChatServer server, String path, String body) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Reply postBytes(ChatServer server, String path, byte[] body) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static Reply get(ChatServer server, String path) {
        return send(server, HttpRequest.newBuilder(uri(server, path)).GET());
    }

    static Reply send(ChatServer server, HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A body-less request whose headers the test reads too. */
    static HttpResponse<String> raw(ChatServer server, String path, String method) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofMinutes(1)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static URI uri(ChatServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A one-message chat body. */
    static String chat(String question, String extra) {
        ObjectMapper m = JSON;
        var body = m.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        String s = body.toString();
        return extra.isEmpty() ? s : s.substring(0, s.length() - 1) + "," + extra + "}";
    }
}
