package org.adatoken3d.evaluation.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.benchmark.Llava3dQuestionFile;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.benchmark.PredictionFile;
import org.adatoken3d.evaluation.benchmark.ScanQaFile;
import org.adatoken3d.evaluation.benchmark.ScanQaQuestion;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark runs over files in the real formats, written from the committed spatial-QA held-out rooms
 * (conformance/spatialqa) by {@link SpatialQaExport}. The answers are checked against {@link QaRun}, which reads the
 * split's own scene file and asks the model directly: a second path to the same answers.
 */
class BenchmarkRunTest {
    static final Path SPATIALQA = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static final Path HELDOUT = SPATIALQA.resolve("heldout-questions.json");
    static final int SCENES = 2;
    static final List<String> POLICIES = List.of("none", "tau=0.5,query=instruction");

    @TempDir static Path files;
    @TempDir Path out;
    static Llava3d llava;

    @BeforeAll
    static void export() {
        llava = Llava3d.open(SPATIALQA.resolve("model"), EngineOptions.defaults());
        SpatialQaExport.write(llava, HELDOUT, SCENES, files);
    }

    @AfterAll
    static void close() {
        llava.close();
    }

    static RunSettings settings(List<String> policies) {
        return new RunSettings(policies, QaRun.MAX_ANSWER_TOKENS, "spatialqa-test");
    }

    static SceneLocation savedScenes() {
        return SceneLocation.folder(files.resolve(SpatialQaExport.SCENES), SceneOptions.defaults(), null);
    }

    @Test
    void theExportIsReadByTheBenchmarkReadersWithSceneIdsAndAnswers() {
        QuestionSet split = QuestionSet.read(HELDOUT);
        List<QaQuestion> expected = split.questions().stream().filter(q -> q.scene() < SCENES).toList();
        List<ScanQaQuestion> scanQa = ScanQaFile.read(files.resolve(SpatialQaExport.SCANQA));
        assertEquals(expected.size(), scanQa.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(String.format("scene%04d_00", expected.get(i).scene()), scanQa.get(i).sceneId());
            assertEquals(expected.get(i).question(), scanQa.get(i).question());
            assertEquals(List.of(expected.get(i).answer()), scanQa.get(i).answers());
        }
        assertEquals("val-scene0000-0", scanQa.getFirst().questionId().value());
        QuestionSource sqa = QuestionSource.sqa3d(files.resolve(SpatialQaExport.SQA3D_QUESTIONS), files.resolve(SpatialQaExport.SQA3D_ANNOTATIONS));
        assertEquals(SpatialQaExport.SITUATION + " " + expected.getFirst().question(), sqa.questions().getFirst().prompt());
        assertTrue(sqa.questions().getFirst().questionId().numeric());
        assertEquals(expected.size(), Llava3dQuestionFile.read(files.resolve(SpatialQaExport.LLAVA3D_QUESTIONS)).size());
    }

    @Test
    void scanQaRunAnswersAsTheSplitsOwnRunAndScoresEveryPolicy() throws Exception {
        QuestionSource source = QuestionSource.scanQa(files.resolve(SpatialQaExport.SCANQA));
        List<String> visited = new ArrayList<>();
        RunSummary summary = BenchmarkRun.run(llava, source, savedScenes(), settings(POLICIES), out, (d, t, scene, q, skipped) -> visited.add(scene));
        assertEquals(List.of("scene0000_00", "scene0001_00"), visited);

        QuestionSet split = QuestionSet.read(HELDOUT);
        QaRun direct = new QaRun(llava, split.readScenes());
        List<QaQuestion> expected = split.questions().stream().filter(q -> q.scene() < SCENES).toList();
        for (int p = 0; p < POLICIES.size(); p++) {
            GatePolicy gate = llava.policy(POLICIES.get(p));
            List<Prediction> predictions = PredictionFile.read(RunLayout.at(out).predictions(POLICIES.get(p)));
            assertEquals(expected.size(), predictions.size());
            int right = 0;
            for (int i = 0; i < expected.size(); i++) {
                QaRun.Answer a = direct.answer(expected.get(i), gate);
                Prediction got = predictions.get(i);
                assertEquals(source.questions().get(i).questionId(), got.questionId());
                assertEquals(a.text(), got.text(), "question " + i + " under " + POLICIES.get(p));
                assertEquals(a.keep().keptCount(), got.metadata().get("kept_tokens").asInt());
                assertEquals("spatialqa-test", got.modelId());
                if (a.correct()) right++;
            }
            // One-word answers: EM after clean_answer is the split's own exact match.
            assertEquals((double) right / expected.size(), summary.policies().get(p).report().overall().em(), 1e-12);
        }
        JsonNode json = RunLayout.JSON.readTree(RunLayout.at(out).summary().toFile());
        assertEquals(RunSummary.FORMAT, json.get("format").asText());
        assertEquals(2, json.get("policies").size());
        assertEquals(1.0, json.get("policies").get(0).get("kept_share").asDouble());
        assertTrue(json.get("policies").get(1).get("kept_share").asDouble() < 1.0, json.toString());
        assertEquals(expected.size() * POLICIES.size(), json.get("timing").get("answers").asInt());
    }

    @Test
    void aRerunSkipsTheScenesDoneAndARunWithOtherSettingsIsRefused() throws Exception {
        QuestionSource source = QuestionSource.scanQa(files.resolve(SpatialQaExport.SCANQA)).first(14);
        BenchmarkRun.run(llava, source, savedScenes(), settings(List.of("none")), out, null);
        Path predictions = RunLayout.at(out).predictions("none");
        String first = Files.readString(predictions);
        // A half-done run: one scene's part is gone, as if the process had died before committing it.
        Files.delete(RunLayout.at(out).part("none", "scene0001_00"));
        List<Boolean> skipped = new ArrayList<>();
        RunSummary again = BenchmarkRun.run(llava, source, savedScenes(), settings(List.of("none")), out, (d, t, s, q, skip) -> skipped.add(skip));
        assertEquals(List.of(true, false), skipped);
        assertEquals(first, Files.readString(predictions));
        // Questions 12 and 13 are about scene0001_00 (12 questions a scene); only they were asked again.
        assertEquals(2, again.timing().get("answers").asInt());
        assertEquals(14, again.policies().getFirst().report().overall().questions());
        EngineArgumentException e = assertThrows(EngineArgumentException.class,
                () -> BenchmarkRun.run(llava, source, savedScenes(), settings(List.of("keep=0.5")), out, null));
        assertEquals("out", e.parameter());
        assertTrue(e.problem().startsWith("holds a run with other settings"), e.problem());
    }

    @Test
    void sqa3dAndLlava3dQuestionFilesRunFromTheSavedScenes() throws Exception {
        QuestionSource sqa = QuestionSource.sqa3d(files.resolve(SpatialQaExport.SQA3D_QUESTIONS), files.resolve(SpatialQaExport.SQA3D_ANNOTATIONS)).first(6);
        RunSummary s = BenchmarkRun.run(llava, sqa, savedScenes(), settings(List.of("none")), out.resolve("sqa"), null);
        assertEquals(6, s.scoredCount());
        assertTrue(s.policies().getFirst().report().byType().keySet().stream().allMatch(t -> t.matches("[0-5]")), s.toString());
        Prediction p = PredictionFile.read(RunLayout.at(out.resolve("sqa")).predictions("none")).getFirst();
        assertTrue(p.questionId().numeric());
        assertTrue(p.prompt().startsWith(SpatialQaExport.SITUATION), p.prompt());

        QuestionSource llava3d = QuestionSource.llava3d(files.resolve(SpatialQaExport.LLAVA3D_QUESTIONS)).first(3);
        RunSummary l = BenchmarkRun.run(llava, llava3d, savedScenes(), settings(List.of("none")), out.resolve("l"), null);
        assertEquals(0, l.scoredCount());
        assertEquals(3, PredictionFile.read(RunLayout.at(out.resolve("l")).predictions("none")).size());
    }

    @Test
    void aSceneMissingFromTheRootIsOneLineNamingItAndWhereItWasLooked() throws Exception {
        Path empty = Files.createDirectories(out.resolve("empty"));
        QuestionSource source = QuestionSource.scanQa(files.resolve(SpatialQaExport.SCANQA)).first(1);
        InvalidFileException e = assertThrows(InvalidFileException.class, () -> BenchmarkRun.run(llava, source,
                SceneLocation.folder(empty, SceneOptions.defaults(), null), settings(List.of("none")), out.resolve("o"), null));
        assertTrue(e.getMessage().contains("holds no scene scene0000_00 (looked for scene0000_00.safetensors, scene0000_00/ and scene0000_00.json)"),
                e.getMessage());
    }
}
