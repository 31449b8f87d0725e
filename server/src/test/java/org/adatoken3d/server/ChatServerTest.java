package org.adatoken3d.server;

import static org.adatoken3d.server.TestServers.chat;
import static org.adatoken3d.server.TestServers.get;
import static org.adatoken3d.server.TestServers.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on the trained spatial-QA model, in process, over real HTTP on loopback. */
class ChatServerTest {
    static Llava3d llava;
    static ChatServer server;
    static QuestionSet questions;
    static SceneSet sceneSet;

    @BeforeAll
    static void start() {
        llava = TestServers.spatialQa();
        questions = QuestionSet.read(TestServers.HELDOUT);
        sceneSet = questions.readScenes();
        server = ChatServer.start(llava, "spatialqa", TestServers.options(), TestServers.heldoutScenes());
    }

    @AfterAll
    static void stop() {
        server.close();
        llava.close();
    }

    /** The façade's own answer (Generator, one request alone), the reference the server must reproduce. */
    static Answer direct(QaQuestion q, String prune) {
        SpatialTokens tokens = sceneSet.spatialTokens(q.scene(), llava.projector());
        synchronized (ChatServerTest.class) {
            return server.engine().call(() -> llava.ask(tokens, q.question(), llava.policy(prune), GenerationOptions.greedy(16), null));
        }
    }

    @Test
    void listsTheModelAndTheScenes() {
        JsonNode models = get(server, "/v1/models").json();
        assertEquals("list", models.get("object").asText());
        assertEquals("spatialqa", models.get("data").get(0).get("id").asText());
        JsonNode scenes = get(server, "/v1/scenes").json().get("data");
        int fromSet = 0;
        for (JsonNode s : scenes) if (s.get("origin").asText().equals("set")) fromSet++;
        assertEquals(sceneSet.size(), fromSet);
        assertEquals(sceneSet.tokens(0), TestServers.JSON.valueToTree(findScene(scenes, "heldout-0")).get("tokens").asInt());
        assertEquals(404, get(server, "/v1/models/other").status());
        assertEquals("ok", get(server, "/health").json().get("status").asText());
    }

    private static JsonNode findScene(JsonNode scenes, String id) {
        for (JsonNode s : scenes) if (s.get("id").asText().equals(id)) return s;
        throw new AssertionError("no scene " + id + " in " + scenes);
    }

    @Test
    void answersAHeldOutQuestionAsTheFacadeDoesWithAutoPruning() {
        QaQuestion q = questions.questions().get(0);
        Answer expected = direct(q, "auto");
        TestServers.Reply r = post(server, "/v1/chat/completions", chat(q.question(), "\"scene\":\"heldout-" + q.scene() + "\",\"max_tokens\":16"));
        assertEquals(200, r.status(), r.body());
        JsonNode body = r.json();
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals(expected.text(), body.at("/choices/0/message/content").asText());
        assertTrue(q.isAnsweredBy(body.at("/choices/0/message/content").asText()), "the trained model answers question 0: " + body);
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertEquals(expected.promptTokens(), body.at("/usage/prompt_tokens").asInt());
        assertEquals(expected.ids().length, body.at("/usage/completion_tokens").asInt());
        JsonNode a = body.get("adatoken");
        assertEquals(sceneSet.tokens(q.scene()), a.get("spatial_tokens").asInt());
        assertEquals(expected.keepSet().keptCount(), a.get("kept").asInt());
        assertTrue(a.get("kept").asInt() < a.get("spatial_tokens").asInt(), "auto pruned: " + a);
        assertEquals(expected.prefillFlopsShare(), a.get("prefill_flops_share").asDouble(), 1e-12);
    }

    @Test
    void streamsTheSameAnswerAsChunksEndingInDone() throws Exception {
        QaQuestion q = questions.questions().get(5);
        Answer expected = direct(q, "none");
        String body = chat(q.question(), "\"scene\":\"heldout-" + q.scene() + "\",\"prune\":\"none\",\"stream\":true,\"max_tokens\":16,"
                + "\"stream_options\":{\"include_usage\":true}");
        TestServers.Reply r = post(server, "/v1/chat/completions", body);
        assertEquals(200, r.status());
        List<JsonNode> chunks = new ArrayList<>();
        String[] events = r.body().split("\n\n");
        assertEquals("data: [DONE]", events[events.length - 1].strip());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: "), events[i]);
            JsonNode c = TestServers.JSON.readTree(events[i].substring(6)).deepCopy();
            chunks.add(c);
            assertEquals("chat.completion.chunk", c.get("object").asText());
            if (c.get("choices").size() > 0 && c.at("/choices/0/delta/content").isTextual()) text.append(c.at("/choices/0/delta/content").asText());
        }
        assertEquals(expected.text(), text.toString());
        assertEquals("assistant", chunks.getFirst().at("/choices/0/delta/role").asText());
        JsonNode last = chunks.get(chunks.size() - 2);
        assertEquals("stop", last.at("/choices/0/finish_reason").asText());
        assertEquals(sceneSet.tokens(q.scene()), last.at("/adatoken/kept").asInt(), "prune none keeps every token");
        assertEquals(0, chunks.getLast().get("choices").size(), "include_usage: a last chunk with usage and no choices");
        assertEquals(expected.ids().length, chunks.getLast().at("/usage/completion_tokens").asInt());
    }

    @Test
    void concurrentQuestionsGetTheAnswersTheyGetAlone() throws Exception {
        List<QaQuestion> qs = questions.questions().subList(10, 16);
        List<String> expected = new ArrayList<>();
        for (QaQuestion q : qs) expected.add(direct(q, "auto").text());
        try (ExecutorService pool = Executors.newFixedThreadPool(qs.size())) {
            List<Future<TestServers.Reply>> replies = new ArrayList<>();
            for (QaQuestion q : qs) {
                boolean stream = replies.size() % 2 == 0;
                replies.add(pool.submit(() -> post(server, "/v1/chat/completions",
                        chat(q.question(), "\"scene\":\"heldout-" + q.scene() + "\",\"max_tokens\":16,\"stream\":" + stream))));
            }
            for (int i = 0; i < qs.size(); i++) {
                TestServers.Reply r = replies.get(i).get();
                assertEquals(200, r.status(), r.body());
                String text = i % 2 == 0 ? streamedText(r.body()) : r.json().at("/choices/0/message/content").asText();
                assertEquals(expected.get(i), text, "question " + (10 + i));
            }
        }
    }

    @Test
    void streamedLastChunkListsTheKeptIndicesOnlyWhenAsked() throws Exception {
        QaQuestion q = questions.questions().get(7);
        Answer expected = direct(q, "auto");
        String asked = chat(q.question(), "\"scene\":\"heldout-" + q.scene() + "\",\"stream\":true,\"max_tokens\":16,\"return_keep_set\":true");
        JsonNode a = lastChunk(post(server, "/v1/chat/completions", asked)).get("adatoken");
        JsonNode indices = a.get("kept_indices");
        int[] kept = expected.keepSet().kept();
        assertEquals(kept.length, indices.size(), a.toString());
        for (int i = 0; i < kept.length; i++) assertEquals(kept[i], indices.get(i).asInt(), "kept index " + i);
        assertEquals(kept.length, a.get("kept").asInt());
        assertTrue(kept.length < sceneSet.tokens(q.scene()), "auto pruned: " + a);

        String plain = chat(q.question(), "\"scene\":\"heldout-" + q.scene() + "\",\"stream\":true,\"max_tokens\":16");
        JsonNode b = lastChunk(post(server, "/v1/chat/completions", plain)).get("adatoken");
        assertFalse(b.has("kept_indices"), "not asked for, so not sent: " + b);
        assertEquals(kept.length, b.get("kept").asInt());
    }

    /** The chunk that carries finish_reason (and the adatoken object) of a streamed reply. */
    private static JsonNode lastChunk(TestServers.Reply r) throws Exception {
        assertEquals(200, r.status(), r.body());
        for (String e : r.body().split("\n\n")) {
            if (!e.startsWith("data: {")) continue;
            JsonNode c = TestServers.JSON.readTree(e.substring(6));
            if (c.get("choices").size() > 0 && c.at("/choices/0/finish_reason").isTextual()) return c;
        }
        throw new AssertionError("no chunk with a finish_reason in " + r.body());
    }

    @Test
    void aScenesTokenPositionsAreTheSetsRoundedToMillimetres() {
        JsonNode s = get(server, "/v1/scenes/heldout-2").json();
        float[] xyz = sceneSet.xyz(2);
        assertEquals("heldout-2", s.get("id").asText());
        assertEquals(sceneSet.tokens(2), s.get("tokens").asInt());
        assertTrue(s.get("encoded").asBoolean(), "asking for the positions loads the scene: " + s.get("encoded"));
        assertEquals(xyz.length, s.get("xyz").size());
        for (int i = 0; i < xyz.length; i++) assertEquals(xyz[i], s.get("xyz").get(i).asDouble(), 5e-4 + 1e-6, "xyz[" + i + "]");
    }

    @Test
    void unknownScenesAndWrongMethodsOnAScenesPositionsAreOpenAiErrors() {
        record Case(String path, String method, int status, String param, String code) {}
        for (Case c : List.of(new Case("/v1/scenes/no-such-scene", "GET", 404, "scene", "scene_not_found"),
                new Case("/v1/scenes/..%2F..%2Fetc%2Fpasswd", "GET", 404, "scene", "scene_not_found"),
                new Case("/v1/scenes/heldout-0/tokens", "GET", 404, "scene", "scene_not_found"),
                new Case("/v1/scenes/heldout-0", "DELETE", 405, null, "method_not_allowed"))) {
            TestServers.Reply r = TestServers.send(server, HttpRequest.newBuilder(TestServers.uri(server, c.path()))
                    .method(c.method(), HttpRequest.BodyPublishers.noBody()));
            assertEquals(c.status(), r.status(), c + " -> " + r.body());
            JsonNode error = r.json().get("error");
            assertTrue(error != null && r.json().size() == 1, "only an error object: " + r.body());
            assertEquals(c.param() == null ? "null" : c.param(), error.get("param").isNull() ? "null" : error.get("param").asText(), r.body());
            assertEquals(c.code(), error.get("code").asText(), r.body());
            assertEquals("invalid_request_error", error.get("type").asText(), r.body());
        }
    }

    @Test
    void servesThePageUnderAStrictContentSecurityPolicy() {
        for (String path : List.of("/", "/index.html", "/app.js", "/view3d.js", "/style.css")) {
            HttpResponse<String> r = TestServers.raw(server, path, "GET");
            assertEquals(200, r.statusCode(), path);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            for (String directive : List.of("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                    "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")) {
                assertTrue(csp.contains(directive), path + ": '" + directive + "' in " + csp);
            }
            assertFalse(csp.contains("unsafe"), path + ": " + csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.startsWith(path.endsWith(".js") ? "text/javascript" : path.endsWith(".css") ? "text/css" : "text/html"), path + ": " + type);
            assertFalse(r.body().contains("http://") || r.body().contains("https://"), path + " fetches nothing from elsewhere");
        }
        HttpResponse<String> head = TestServers.raw(server, "/", "HEAD");
        assertEquals(200, head.statusCode());
        assertEquals(ChatServer.PAGE_POLICY, head.headers().firstValue("Content-Security-Policy").orElse(""));
        assertEquals("", head.body());
        assertEquals(405, TestServers.post(server, "/", "{}").status());
        assertEquals(404, get(server, "/favicon.ico").status());
    }

    static String streamedText(String sse) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String e : sse.split("\n\n")) {
            if (!e.startsWith("data: {")) continue;
            JsonNode c = TestServers.JSON.readTree(e.substring(6));
            if (c.get("choices").size() > 0 && c.at("/choices/0/delta/content").isTextual()) text.append(c.at("/choices/0/delta/content").asText());
        }
        return text.toString();
    }

    @Test
    void refusesBadRequestsWithOpenAiErrorObjects() {
        record Case(String body, int status, String param) {}
        List<Case> cases = List.of(
                new Case("{\"messages\": [", 400, null),
                new Case("[1, 2]", 400, null),
                new Case("{}", 400, "messages"),
                new Case(chat("What colour is the ball?", "\"scene\":\"no-such-scene\""), 404, "scene"),
                new Case(chat("What colour is the ball?", "\"scene\":\"../../etc/passwd\""), 404, "scene"),
                new Case(chat("What colour is the ball?", "\"scene\":\"heldout-0\",\"prune\":\"tau=7\""), 400, "prune"),
                new Case(chat("What colour is the ball?", "\"scene\":\"heldout-0\",\"prune\":\"keep=0.3,layer=99\""), 400, "prune"),
                new Case(chat("What colour is the ball?", "\"prune\":\"tau=0.05\""), 400, "prune"),
                new Case(chat("What colour is the ball?", "\"max_tokens\":100000"), 400, "max_tokens"),
                new Case(chat("What colour is the ball?", "\"temperature\":-1"), 400, "temperature"),
                new Case(chat("What colour is the ball?", "\"model\":\"gpt-4o\""), 404, "model"),
                new Case(chat("What colour is the ball?", "\"n\":3"), 400, "n"),
                new Case(chat("What is at [1, 2]?", "\"scene\":\"heldout-0\""), 400, "messages"),
                new Case("{\"messages\":[{\"role\":\"assistant\",\"content\":\"hi\"}]}", 400, "messages[0]"),
                new Case("{\"messages\":[{\"role\":\"system\",\"content\":\"You are a pirate.\"},{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "messages[0]"),
                new Case("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]}", 400, "messages[1]"));
        for (Case c : cases) {
            TestServers.Reply r = post(server, "/v1/chat/completions", c.body());
            assertEquals(c.status(), r.status(), c.body() + " -> " + r.body());
            JsonNode error = r.json().get("error");
            assertTrue(error != null && r.json().size() == 1, "only an error object: " + r.body());
            for (String field : List.of("message", "type", "param", "code")) assertTrue(error.has(field), field + " in " + r.body());
            assertEquals(c.param() == null ? "null" : c.param(), error.get("param").isNull() ? "null" : error.get("param").asText(), r.body());
            String message = error.get("message").asText();
            assertFalse(message.contains("\n") || message.contains("at org.") || message.contains("Exception"), "one line, no trace: " + message);
        }
        assertEquals(404, get(server, "/v1/nothing").status());
        assertEquals(405, get(server, "/v1/chat/completions").status());
    }

    @Test
    void refusesBodiesOverTheLimitWith413() {
        String big = chat("x".repeat((1 << 20) + 10), "");
        TestServers.Reply r = post(server, "/v1/chat/completions", big);
        assertEquals(413, r.status());
        assertEquals("request_too_large", r.json().at("/error/code").asText());
    }

    @Test
    void multiTurnChatsAreOneLlavaPrompt() {
        QaQuestion q = questions.questions().get(0);
        String body = "{\"scene\":\"heldout-" + q.scene() + "\",\"max_tokens\":8,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"" + org.adatoken3d.llava3d.prompt.LlavaPrompt.SYSTEM + "\"},"
                + "{\"role\":\"user\",\"content\":\"" + q.question() + "\"},{\"role\":\"assistant\",\"content\":\"yes\"},"
                + "{\"role\":\"user\",\"content\":\"" + questions.questions().get(1).question() + "\"}]}";
        TestServers.Reply r = post(server, "/v1/chat/completions", body);
        assertEquals(200, r.status(), r.body());
        TestServers.Reply single = post(server, "/v1/chat/completions", chat(questions.questions().get(1).question(),
                "\"scene\":\"heldout-" + q.scene() + "\",\"max_tokens\":8"));
        int one = single.json().at("/usage/prompt_tokens").asInt();
        int both = r.json().at("/usage/prompt_tokens").asInt();
        int firstQuestion = llava.model().tokenizer().encode(q.question(), false).length;
        assertTrue(both > one + firstQuestion, "the earlier turn is in the prompt: " + both + " vs " + one);
    }

    @Test
    void uploadedSpatialTokensBecomeAScene(@TempDir Path tmp) throws Exception {
        SpatialTokens t = sceneSet.spatialTokens(3, llava.projector());
        Path file = tmp.resolve("scene.safetensors");
        t.save(file);
        byte[] bytes = Files.readAllBytes(file);
        TestServers.Reply up = TestServers.postBytes(server, "/v1/scenes", bytes);
        assertEquals(200, up.status(), up.body());
        String id = up.json().get("id").asText();
        assertEquals(t.count(), up.json().get("tokens").asInt());
        assertEquals(id, TestServers.postBytes(server, "/v1/scenes", bytes).json().get("id").asText(), "the same bytes are the same scene");
        QaQuestion q = questions.questions().stream().filter(x -> x.scene() == 3).findFirst().orElseThrow();
        String a = post(server, "/v1/chat/completions", chat(q.question(), "\"scene\":\"" + id + "\",\"max_tokens\":16")).json()
                .at("/choices/0/message/content").asText();
        String b = post(server, "/v1/chat/completions", chat(q.question(), "\"scene\":\"heldout-3\",\"max_tokens\":16")).json()
                .at("/choices/0/message/content").asText();
        assertEquals(b, a, "the uploaded copy answers as the registered scene");
        JsonNode points = get(server, "/v1/scenes/" + id).json();
        assertEquals(3 * t.count(), points.get("xyz").size());

        TestServers.Reply bad = TestServers.postBytes(server, "/v1/scenes", "not a safetensors file".getBytes());
        assertEquals(400, bad.status(), bad.body());
        assertFalse(bad.body().contains(System.getProperty("java.io.tmpdir") + "/adatoken3d"), "no server paths: " + bad.body());
    }

    @Test
    void concurrentUploadsEachGetTheirScene(@TempDir Path tmp) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<TestServers.Reply>> replies = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SpatialTokens t = sceneSet.spatialTokens(20 + i, llava.projector());
                Path f = tmp.resolve("s" + i + ".safetensors");
                t.save(f);
                byte[] bytes = Files.readAllBytes(f);
                counts.add(t.count());
                replies.add(pool.submit(() -> TestServers.postBytes(server, "/v1/scenes", bytes)));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TestServers.Reply r = replies.get(i).get();
                assertEquals(200, r.status(), r.body());
                assertEquals(counts.get(i).intValue(), r.json().get("tokens").asInt());
                ids.add(r.json().get("id").asText());
            }
            assertEquals(4, ids.stream().distinct().count());
        }
        assertNotEquals(0, get(server, "/metrics").body().length());
    }
}
