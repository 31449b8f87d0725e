package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval} on the committed spatial-QA checkpoint and a few held-out questions (conformance/spatialqa). */
class EvalCommandTest {
    static final Path DIR = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static final int LIMIT = 14;

    @TempDir Path tmp;



    @Test
    void printsAccuracyPerTypeMatchingTheOraclesAnswers() throws Exception {
        CliRun r = CliRun.of("eval", "--model", DIR.resolve("model").toString(), "--questions", DIR.resolve("heldout-questions.json").toString(),
                "--limit", "" + LIMIT, "--answers");
        assertEquals(0, r.exit(), r.stderr());
        // The oracle's answers to the same questions (metrics.json, written by python3 -m spatialqa.evaluate).
        JsonNode metrics = new ObjectMapper().readTree(DIR.resolve("model/metrics.json").toFile());
        JsonNode questions = new ObjectMapper().readTree(DIR.resolve("heldout-questions.json").toFile()).get("questions");
        int right = 0;
        for (int i = 0; i < LIMIT; i++) {
            if (metrics.get("answers").get(i).asText().equalsIgnoreCase(questions.get(i).get("answer").asText())) right++;
        }
        String all = String.format(Locale.ROOT, "  %-8s %7.1f%% %4d/%-4d", "all", 100.0 * right / LIMIT, right, LIMIT);
        assertTrue(r.out().contains(all), () -> "expected \"" + all + "\" in:\n" + r.out());
        assertTrue(r.out().contains("eval: " + LIMIT + " questions about 48 scenes"), r.out());
        assertTrue(r.out().contains("prune none"), r.out());
        assertTrue(r.out().contains("spatial tokens kept 100.0%, object tokens kept 100.0%, prefill FLOPs 100.0% of unpruned"), r.out());
        assertTrue(r.out().contains("What colour is") || r.out().contains("What shape is") || r.out().contains("Is there"), r.out());
    }

    @Test
    void calibratesOnSpatialQaQuestionsEachAboutItsOwnScene() throws Exception {
        Path profile = tmp.resolve("profile.json");
        CliRun r = CliRun.of("calibrate", "--model", DIR.resolve("model").toString(), "--questions", DIR.resolve("calibration-questions.json").toString(),
                "--target-flops", "0.5", "--out", profile.toString());
        assertEquals(0, r.exit(), r.stderr());
        JsonNode p = new ObjectMapper().readTree(profile.toFile());
        assertEquals(32, p.get("inputs").asInt(), "every calibration question is one input");
        assertTrue(r.stderr().contains("calibrate: measured input 32 ("), r.stderr());
    }

    @Test
    void aQuestionFileOfAnotherFormatIsOneClearError() throws Exception {
        Path bad = tmp.resolve("q.json");
        Files.writeString(bad, "{\"format\": \"something-else\", \"scenes_file\": \"s.safetensors\", \"questions\": []}");
        CliRun r = CliRun.of("eval", "--model", DIR.resolve("model").toString(), "--questions", bad.toString());
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("error: " + bad + ": format must be \"adatoken3d-spatialqa/1\""), r.stderr());
    }
}
