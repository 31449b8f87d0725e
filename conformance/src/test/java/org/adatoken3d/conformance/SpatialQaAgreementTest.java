package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.pruning.GatePolicy;
import org.junit.jupiter.api.Test;

/**
 * The trained spatial-QA checkpoint (conformance/spatialqa) answers held-out questions as the PyTorch oracle does:
 * the oracle's answers and accuracy are stored in model/metrics.json by {@code python3 -m spatialqa.evaluate}
 * (float64 decoder); the engine, unpruned, must give the same answer to every question of a slice and so the same
 * accuracy. Runs without PyTorch, on every build.
 */
class SpatialQaAgreementTest {
    static final Path DIR = OracleProcess.projectRoot().resolve("conformance/spatialqa");
    /** Enough questions to cover every type several times; the whole split takes the eval command ~10 s. */
    static final int SLICE = 120;

    @Test
    void engineGivesTheOraclesAnswersAndAccuracyOnHeldOutQuestions() throws Exception {
        JsonNode metrics = new ObjectMapper().readTree(DIR.resolve("model/metrics.json").toFile());
        JsonNode oracleAnswers = metrics.get("answers");
        QuestionSet questions = QuestionSet.read(DIR.resolve("heldout-questions.json")).first(SLICE);
        assertEquals(oracleAnswers.size(), QuestionSet.read(DIR.resolve("heldout-questions.json")).questions().size(),
                "metrics.json answers every held-out question");
        SceneSet scenes = questions.readScenes();
        List<String> disagreements = new ArrayList<>();
        int engineRight = 0, oracleRight = 0;
        try (Llava3d llava = Llava3d.open(DIR.resolve("model"), EngineOptions.defaults().withKvBudgetBytes(1L << 30))) {
            QaRun run = new QaRun(llava, scenes);
            for (int i = 0; i < questions.questions().size(); i++) {
                QaQuestion q = questions.questions().get(i);
                String oracle = oracleAnswers.get(i).asText();
                QaRun.Answer engine = run.answer(q, new GatePolicy.NoPruning());
                if (!engine.text().equals(oracle)) {
                    disagreements.add(i + " \"" + q.question() + "\": engine " + engine.text() + ", oracle " + oracle
                            + " (oracle first-token margin " + metrics.get("margins").get(i).asDouble() + ")");
                }
                if (engine.correct()) engineRight++;
                if (q.isAnsweredBy(oracle)) oracleRight++;
            }
        }
        assertTrue(disagreements.isEmpty(), () -> "engine and oracle disagree on " + disagreements);
        assertEquals(oracleRight, engineRight, "correct answers on the first " + SLICE + " held-out questions");
        // The slice is a prefix of the split the oracle scored as a whole: the stored per-type counts must add up.
        int allRight = 0;
        for (var e : metrics.get("correct").properties()) allRight += e.getValue().asInt();
        assertEquals(metrics.get("accuracy").get("all").asDouble(), allRight / (double) oracleAnswers.size(), 1e-12);
    }
}
