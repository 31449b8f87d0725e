package org.adatoken3d.server;

import static org.adatoken3d.server.TestServers.chat;
import static org.adatoken3d.server.TestServers.get;
import static org.adatoken3d.server.TestServers.holdEngine;
import static org.adatoken3d.server.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.prompt.LlavaPrompt;
import org.adatoken3d.model.generation.Prompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching, cancellation, limits and shutdown, on a random tiny checkpoint whose answers run to max_tokens. */
class ServingUnderLoadTest {
    @TempDir static Path tmp;
    static Llava3d llava;

    @BeforeAll
    static void open() {
        llava = TestServers.synthetic(tmp.resolve("tiny"));
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    static long metric(ChatServer server, String name) {
        for (String l : get(server, "/metrics").body().split("\n")) if (l.startsWith(name + " ")) return Long.parseLong(l.substring(name.length() + 1));
        throw new AssertionError("no metric " + name);
    }

    @Test
    void requestsDecodingAtOnceShareStepsAndGetTheirOwnAnswers() throws Exception {
        List<String> questions = List.of("one two", "three", "four five six", "seven");
        List<String> alone = new ArrayList<>();
        for (String q : questions) {
            Prompt p = Prompt.text(LlavaPrompt.encodeTextOnly(llava.model().tokenizer(), q));
            alone.add(llava.ask(p, llava.policy("none"), GenerationOptions.greedy(24), null, null).text());
        }
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withBatch(4), new SceneRegistry(4));
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            CountDownLatch release = holdEngine(server.engine());
            List<Future<TestServers.Reply>> replies = new ArrayList<>();
            for (String q : questions) replies.add(pool.submit(() -> post(server, "/v1/chat/completions", chat(q, "\"max_tokens\":24"))));
            for (int i = 0; i < 500 && server.engine().outstanding() < questions.size(); i++) Thread.sleep(10);
            release.countDown();
            for (int i = 0; i < questions.size(); i++) {
                TestServers.Reply r = replies.get(i).get();
                assertEquals(200, r.status(), r.body());
                assertEquals(alone.get(i), r.json().at("/choices/0/message/content").asText(), "question " + i);
            }
            long steps = metric(server, "adatoken3d_decode_steps_total"), rows = metric(server, "adatoken3d_decode_rows_total");
            assertTrue(rows >= 2 * steps, "the four requests were decoded together: " + rows + " rows in " + steps + " steps");
        }
    }

    @Test
    void aClientThatLeavesMidStreamFreesItsSlot() throws Exception {
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withTokenLimits(400, 8192), new SceneRegistry(4))) {
            String body = chat("tell me a long story", "\"max_tokens\":400,\"stream\":true");
            try (Socket s = new Socket("127.0.0.1", server.port())) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line;
                int events = 0;
                while ((line = in.readLine()) != null && events < 3) if (line.contains("chat.completion.chunk")) events++;
                assertEquals(3, events);
            }
            // Generation stops within a few steps of the failed writes; wait for the slot to be free.
            for (int i = 0; i < 600 && (metric(server, "adatoken3d_cancelled_total") < 1 || metric(server, "adatoken3d_active_slots") > 0); i++) {
                Thread.sleep(50);
            }
            assertEquals(1, metric(server, "adatoken3d_cancelled_total"));
            assertEquals(0, metric(server, "adatoken3d_active_slots"));
            assertTrue(metric(server, "adatoken3d_decode_rows_total") < 399, "generation stopped before max_tokens");
            assertEquals(200, post(server, "/v1/chat/completions", chat("still there?", "\"max_tokens\":4")).status());
        }
    }

    @Test
    void aFullQueueAnswers429() throws Exception {
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withBatch(1).withQueue(1), new SceneRegistry(4));
                ExecutorService pool = Executors.newFixedThreadPool(3)) {
            CountDownLatch release = holdEngine(server.engine());
            List<Future<TestServers.Reply>> accepted = new ArrayList<>();
            for (int i = 0; i < 2; i++) accepted.add(pool.submit(() -> post(server, "/v1/chat/completions", chat("hi", "\"max_tokens\":4"))));
            // Both are taken (one slot, one place in the queue) before the engine runs again.
            for (int i = 0; i < 200 && server.engine().outstanding() < 2; i++) Thread.sleep(10);
            TestServers.Reply refused = post(server, "/v1/chat/completions", chat("hi", "\"max_tokens\":4"));
            release.countDown();
            assertEquals(429, refused.status(), refused.body());
            assertEquals("queue_full", refused.json().at("/error/code").asText());
            for (Future<TestServers.Reply> f : accepted) assertEquals(200, f.get().status());
        }
    }

    @Test
    void aBearerKeyIsRequiredWhenConfigured() {
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withApiKey("s3cret"), new SceneRegistry(4))) {
            assertEquals(401, get(server, "/v1/models").status());
            assertEquals(401, TestServers.send(server, HttpRequest.newBuilder(TestServers.uri(server, "/v1/models"))
                    .header("Authorization", "Bearer s3cre").GET()).status());
            assertEquals(200, TestServers.send(server, HttpRequest.newBuilder(TestServers.uri(server, "/v1/models"))
                    .header("Authorization", "Bearer s3cret").GET()).status());
            assertEquals(401, get(server, "/metrics").status());
            assertEquals(200, get(server, "/health").status());
        }
    }

    @Test
    void shutdownFinishesRequestsInFlightAndRefusesNewOnes() throws Exception {
        ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withDrain(Duration.ofSeconds(30)), new SceneRegistry(4));
        CountDownLatch release = holdEngine(server.engine());
        CompletableFuture<TestServers.Reply> inFlight = CompletableFuture.supplyAsync(() -> post(server, "/v1/chat/completions", chat("hi", "\"max_tokens\":8")));
        for (int i = 0; i < 200 && server.engine().outstanding() < 1; i++) Thread.sleep(10);
        Thread stopper = Thread.ofVirtual().start(server::shutdown);
        for (int i = 0; i < 200 && !"draining".equals(healthStatus(server)); i++) Thread.sleep(10);
        TestServers.Reply late = post(server, "/v1/chat/completions", chat("hi", "\"max_tokens\":8"));
        release.countDown();
        assertEquals(503, late.status(), late.body());
        assertEquals(200, inFlight.get().status(), "the request in flight finished");
        stopper.join();
    }

    private static String healthStatus(ChatServer server) {
        try {
            return get(server, "/health").json().get("status").asText();
        } catch (RuntimeException e) {
            return "gone";
        }
    }

    @Test
    void theTimeLimitEndsALongRequest() {
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options().withTokenLimits(100000, 8192)
                .withRequestTimeout(Duration.ofMillis(300)), new SceneRegistry(4))) {
            TestServers.Reply r = post(server, "/v1/chat/completions", chat("go on forever", "\"max_tokens\":100000"));
            if (r.status() == 200) {
                assertEquals("length", r.json().at("/choices/0/finish_reason").asText());
                assertEquals("time_limit", r.json().at("/adatoken/stopped_by").asText());
                assertTrue(r.json().at("/usage/completion_tokens").asInt() < 100000);
            } else {
                assertEquals(503, r.status(), r.body());
                assertEquals("timeout", r.json().at("/error/code").asText());
            }
        }
    }

    @Test
    void scenesFolderServesItsScenesAndNothingOutsideIt(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("scenes"));
        Path outside = Files.createDirectories(dir.resolve("private"));
        float[] embeds = new float[3 * llava.model().config().hiddenSize()];
        new org.adatoken3d.llava3d.spatial.SpatialTokens(3, embeds, new float[9]).save(root.resolve("room.safetensors"));
        new org.adatoken3d.llava3d.spatial.SpatialTokens(3, embeds, null).save(outside.resolve("secret.safetensors"));
        Files.createSymbolicLink(root.resolve("leak.safetensors"), outside.resolve("secret.safetensors"));
        Files.createDirectories(root.resolve("linked"));
        Files.createSymbolicLink(root.resolve("linked").resolve("color"), outside);
        SceneRegistry scenes = new SceneRegistry(4);
        List<String> warnings = new ArrayList<>();
        scenes.scan(root, warnings::add);
        try (ChatServer server = ChatServer.start(llava, "tiny", TestServers.options(), scenes)) {
            var ids = new ArrayList<String>();
            for (var s : get(server, "/v1/scenes").json().get("data")) ids.add(s.get("id").asText());
            assertEquals(List.of("room"), ids);
            assertEquals(2, warnings.size(), warnings.toString());
            assertEquals(3, get(server, "/v1/scenes/room").json().get("tokens").asInt());
            assertEquals(404, get(server, "/v1/scenes/leak").status());
            assertEquals(404, get(server, "/v1/scenes/..%2Fprivate%2Fsecret").status());
            assertEquals(200, post(server, "/v1/chat/completions", chat("what is here?", "\"scene\":\"room\",\"max_tokens\":3")).status());
        }
    }
}
