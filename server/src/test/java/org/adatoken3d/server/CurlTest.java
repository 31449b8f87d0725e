package org.adatoken3d.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl commands, exactly as printed there, run by bash with {@code /usr/bin/curl} against the server on
 * the trained spatial-QA model (as {@code serve --scene-set conformance/spatialqa/heldout-questions.json
 * --api-key-file key.txt} starts it), in a folder holding {@code room.safetensors}, with {@code KEY} set.
 */
class CurlTest {
    static final Path README = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("README.md");
    static final Path CURL = Path.of("/usr/bin/curl");
    static final String KEY = "curl-test-key";

    static final String CHAT = """
            curl -s localhost:8080/v1/chat/completions -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
              -d '{"scene": "heldout-0", "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Is the red cylinder bigger than the black ball?"}]}'""";
    static final String STREAM = """
            curl -sN localhost:8080/v1/chat/completions -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \\
              -d '{"scene": "heldout-0", "prune": "none", "stream": true, "max_tokens": 16,
                   "messages": [{"role": "user", "content": "Is the red cylinder bigger than the black ball?"}]}'""";
    static final String UPLOAD = """
            curl -s localhost:8080/v1/scenes -H "Authorization: Bearer $KEY" --data-binary @room.safetensors""";
    static final String WRONG_KEY = """
            curl -s -w '\\nHTTP %{http_code}\\n' localhost:8080/v1/models -H 'Authorization: Bearer wrong-key'""";
    static final String TOO_LARGE = """
            head -c 2000000 /dev/zero | curl -s -w '\\nHTTP %{http_code}\\n' localhost:8080/v1/chat/completions \\
              -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary @-""";

    /** What CHAT and STREAM ask: question 0 of the held-out split, about its scene 0. */
    static QaQuestion asked;
    static SceneSet sceneSet;
    static Llava3d llava;
    static ChatServer server;
    @TempDir static Path dir;

    /** Why the commands cannot run here, or null. */
    static String missing;

    @BeforeAll
    static void start() throws IOException {
        missing = !Files.isExecutable(CURL) ? CURL + " is missing (Debian package curl)"
                : !Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash is missing" : null;
        QuestionSet questions = QuestionSet.read(TestServers.HELDOUT);
        asked = questions.questions().getFirst();
        sceneSet = questions.readScenes();
        if (missing != null) return;
        llava = TestServers.spatialQa();
        // "model": the id serve gives conformance/spatialqa/model, its folder's name.
        server = ChatServer.start(llava, "model", TestServers.options().withApiKey(KEY), TestServers.heldoutScenes());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (llava != null) llava.close();
    }

    /** Each test that runs curl fails under CI, or is skipped with the reason elsewhere, when curl is missing. */
    static void requireCurl() {
        ExternalCommands.require("the curl test", missing);
    }

    /** Runs {@code command} as the README prints it, pointed at this server's port. */
    static String run(String command) {
        requireCurl();
        String local = command.replace("localhost:8080", "127.0.0.1:" + server.port());
        ExternalCommands.Result r = ExternalCommands.run(List.of("/bin/bash", "-c", "set -o pipefail; " + local), dir,
                Map.of("KEY", KEY, "PATH", "/usr/bin:/bin"), Duration.ofMinutes(3));
        assertEquals(0, r.exitCode(), command + "\n" + r.output());
        return r.output();
    }

    @Test
    void theReadmeShowsExactlyTheseCommands() throws IOException {
        String readme = Files.readString(README);
        for (String command : List.of(CHAT, STREAM, UPLOAD, WRONG_KEY, TOO_LARGE)) {
            assertTrue(readme.contains(command), "README.md lacks the command\n" + command);
        }
        assertTrue(CHAT.contains("\"content\": \"" + asked.question() + "\"") && CHAT.contains("\"scene\": \"heldout-" + asked.scene() + "\""),
                "the README asks held-out question 0 about its scene");
    }

    @Test
    void chatWithASceneAnswersTheHeldOutQuestion() throws IOException {
        JsonNode reply = TestServers.JSON.readTree(run(CHAT));
        String answer = reply.at("/choices/0/message/content").asText();
        assertTrue(asked.isAnsweredBy(answer), "expected '" + asked.answer() + "': " + reply);
        assertEquals("model", reply.get("model").asText());
        assertEquals("stop", reply.at("/choices/0/finish_reason").asText());
        JsonNode usage = reply.get("usage");
        assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(), usage.get("total_tokens").asInt());
        assertEquals("heldout-" + asked.scene(), reply.at("/adatoken/scene").asText());
        assertEquals(sceneSet.tokens(asked.scene()), reply.at("/adatoken/spatial_tokens").asInt());
        assertTrue(usage.get("prompt_tokens").asInt() > sceneSet.tokens(asked.scene()), usage.toString());
    }

    @Test
    void streamingSendsDataLinesEndingInDone() throws IOException {
        String out = run(STREAM);
        List<String> lines = out.lines().filter(l -> !l.isEmpty()).toList();
        assertEquals("data: [DONE]", lines.getLast(), out);
        StringBuilder text = new StringBuilder();
        JsonNode finish = null;
        for (String line : lines.subList(0, lines.size() - 1)) {
            assertTrue(line.startsWith("data: {"), "every line is an event: " + line);
            JsonNode chunk = TestServers.JSON.readTree(line.substring("data: ".length()));
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            JsonNode choice = chunk.at("/choices/0");
            if (choice.at("/delta/content").isTextual()) text.append(choice.at("/delta/content").asText());
            if (choice.hasNonNull("finish_reason")) finish = chunk;
        }
        assertTrue(asked.isAnsweredBy(text.toString()), "expected '" + asked.answer() + "', streamed '" + text + "'");
        assertTrue(finish != null, "a chunk with finish_reason: " + out);
        assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
        assertEquals(sceneSet.tokens(asked.scene()), finish.at("/adatoken/kept").asInt(), "prune none keeps every spatial token");
    }

    @Test
    void aSpatialTokenFileUploadsAsAScene() throws IOException {
        requireCurl();
        SpatialTokens room = sceneSet.spatialTokens(7, llava.projector());
        room.save(dir.resolve("room.safetensors"));
        JsonNode scene = TestServers.JSON.readTree(run(UPLOAD));
        assertTrue(scene.get("id").asText().matches("upload-[0-9a-f]{16}"), scene.toString());
        assertEquals("upload", scene.get("origin").asText());
        assertEquals(room.count(), scene.get("tokens").asInt());
    }

    @Test
    void aWrongKeyIs401() throws IOException {
        String out = run(WRONG_KEY);
        assertTrue(out.endsWith("\nHTTP 401\n"), out);
        JsonNode error = TestServers.JSON.readTree(out.substring(0, out.lastIndexOf("\nHTTP"))).get("error");
        assertEquals("invalid_api_key", error.get("code").asText());
    }

    @Test
    void aBodyOverTheLimitIs413() throws IOException {
        String out = run(TOO_LARGE);
        assertTrue(out.endsWith("\nHTTP 413\n"), out);
        JsonNode error = TestServers.JSON.readTree(out.substring(0, out.lastIndexOf("\nHTTP"))).get("error");
        assertEquals("request_too_large", error.get("code").asText());
    }
}
