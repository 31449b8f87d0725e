package org.adatoken3d.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.llava3d.Llava3d;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Node client ({@code openai} on npm, pinned by server/src/test/node/package-lock.json) against
 * the server on the trained spatial-QA model: {@code client-test.mjs} lists models, asks a held-out question streamed
 * and not, and checks the client's error classes. {@code ./run-tests} installs the client ({@code scripts/node-deps.sh}).
 */
class OpenAiNodeClientTest {
    static final Path NODE_PROJECT = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("server/src/test/node");
    static final String KEY = "node-client-test-key";
    /** The held-out question asked: its answer is in heldout-questions.json. */
    static final int QUESTION = 0;

    static Path node;
    /** Why the client cannot run here, or null. */
    static String missing;
    static Llava3d llava;
    static ChatServer server;

    @BeforeAll
    static void start() {
        node = ExternalCommands.onPath("node").orElse(null);
        missing = node == null ? "node is not on PATH (Node 18 or later is needed)"
                : !Files.isDirectory(NODE_PROJECT.resolve("node_modules/openai")) ? NODE_PROJECT + "/node_modules has no openai package: "
                        + "run scripts/node-deps.sh's ensure_node_deps (./run-tests does) or npm ci in " + NODE_PROJECT
                : null;
        if (missing != null) return;
        llava = TestServers.spatialQa();
        server = ChatServer.start(llava, "spatialqa", TestServers.options().withApiKey(KEY), TestServers.heldoutScenes());
    }

    /** Each test fails under CI, or is skipped with the reason elsewhere, when the client is not installed. */
    @BeforeEach
    void requireTheClient() {
        ExternalCommands.require("the OpenAI Node client test", missing);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (llava != null) llava.close();
    }

    static ExternalCommands.Result clientTest(Path questions, int index) {
        String baseUrl = "http://127.0.0.1:" + server.port() + "/v1";
        return ExternalCommands.run(List.of(node.toString(), "client-test.mjs", baseUrl, KEY, questions.toAbsolutePath().toString(),
                String.valueOf(index)), NODE_PROJECT, Map.of(), Duration.ofMinutes(5));
    }

    @Test
    void theOfficialClientGetsTheHeldOutAnswerAndTheErrorClasses() throws IOException {
        QaQuestion q = QuestionSet.read(TestServers.HELDOUT).questions().get(QUESTION);
        ExternalCommands.Result r = clientTest(TestServers.HELDOUT, QUESTION);
        System.err.print("client-test.mjs:\n" + r.output());
        assertEquals(0, r.exitCode(), r.output());
        for (String check : List.of("ok - models.list", "ok - a held-out question about heldout-" + q.scene() + ", not streamed",
                "ok - the same question streamed", "ok - a wrong API key raises AuthenticationError (401)",
                "ok - an unknown scene raises NotFoundError (404)", "ok - a bad prune spec raises BadRequestError (400)")) {
            assertTrue(r.output().contains(check), check + " in:\n" + r.output());
        }
        JsonNode result = result(r.output());
        assertEquals(6, result.get("checks").asInt(), r.output());
        assertEquals("spatialqa", result.get("model").asText());
        assertEquals(q.question(), result.get("question").asText());
        assertTrue(q.isAnsweredBy(result.get("notStreamed").asText()), "expected '" + q.answer() + "': " + result);
        assertTrue(q.isAnsweredBy(result.get("streamed").asText()), "expected '" + q.answer() + "': " + result);
    }

    @Test
    void theClientTestFailsWhenTheExpectedAnswerIsWrong(@TempDir Path tmp) throws IOException {
        ObjectNode split = (ObjectNode) TestServers.JSON.readTree(TestServers.HELDOUT.toFile());
        ObjectNode q = (ObjectNode) split.get("questions").get(QUESTION);
        String wrong = q.get("answer").asText().equals("yes") ? "no" : "yes";
        q.put("answer", wrong);
        Path tampered = tmp.resolve("tampered-questions.json");
        TestServers.JSON.writeValue(tampered.toFile(), split);
        ExternalCommands.Result r = clientTest(tampered, QUESTION);
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("not ok - a held-out question about heldout-"), r.output());
        assertTrue(r.output().contains("ok - models.list"), "the checks before it passed: " + r.output());
        assertTrue(!r.output().contains("RESULT "), r.output());
    }

    static JsonNode result(String output) throws IOException {
        for (String line : output.split("\n")) if (line.startsWith("RESULT ")) return TestServers.JSON.readTree(line.substring(7));
        throw new AssertionError("no RESULT line in:\n" + output);
    }
}
