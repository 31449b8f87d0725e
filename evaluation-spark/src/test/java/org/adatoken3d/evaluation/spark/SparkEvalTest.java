package org.adatoken3d.evaluation.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.benchmark.PredictionFile;
import org.adatoken3d.evaluation.run.BenchmarkRun;
import org.adatoken3d.evaluation.run.QuestionSource;
import org.adatoken3d.evaluation.run.RunLayout;
import org.adatoken3d.evaluation.run.RunSettings;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.evaluation.run.SpatialQaExport;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job against the single-process run on ScanQA-format questions about the first held-out spatial-QA rooms
 * (written by {@link SpatialQaExport}), for every policy of a small sweep: the prediction files must be the same,
 * question by question. Once in {@code local[2]}, once in {@code local-cluster[2,1,1024]} (two executor JVMs) with
 * the first attempt of one partition failing after it committed a scene.
 */
class SparkEvalTest {
    static final Path SPATIALQA = Path.of(System.getProperty("adatoken3d.root", "..")).resolve("conformance/spatialqa");
    static final Path MODEL = SPATIALQA.resolve("model");
    static final int SCENES = 3;
    /** Questions asked per scene: enough to show each scene is encoded once and asked many times, few for CI time. */
    static final int PER_SCENE = 4;
    /** Unpruned, the model's calibrated profile, and random pruning at a fixed budget. */
    static final List<String> SWEEP = List.of("none", "auto", "random,keep=0.3");

    @TempDir static Path files;
    static Path reference;
    static int questions;

    @BeforeAll
    static void singleProcessReference() {
        reference = files.resolve("single");
        try (Llava3d llava = Llava3d.open(MODEL, EngineOptions.defaults())) {
            SpatialQaExport.write(llava, SPATIALQA.resolve("heldout-questions.json"), SCENES, PER_SCENE, files);
            QuestionSource source = QuestionSource.scanQa(files.resolve(SpatialQaExport.SCANQA));
            questions = source.questions().size();
            BenchmarkRun.run(llava, source, scenes(), settings(), reference, null);
        }
    }

    static RunSettings settings() {
        return new RunSettings(SWEEP, 4, "spatialqa");
    }

    static SceneLocation scenes() {
        return SceneLocation.folder(files.resolve(SpatialQaExport.SCENES), SceneOptions.defaults(), null);
    }

    static JobSpec job(Path out, int threads) {
        QuestionSpec q = new QuestionSpec(QuestionSpec.Format.SCANQA, List.of(files.resolve(SpatialQaExport.SCANQA).toString()), null);
        return new JobSpec(MODEL.toAbsolutePath().toString(), threads, q, scenes(), settings(), out.toString(), SCENES, -1);
    }

    /** Every policy's predictions equal the single-process run's, line by line; no part holds a stray or repeated row. */
    static void assertSameAsSingleProcess(Path out) throws IOException {
        for (String policy : SWEEP) {
            List<Prediction> expected = PredictionFile.read(RunLayout.at(reference).predictions(policy));
            List<Prediction> got = PredictionFile.read(RunLayout.at(out).predictions(policy));
            assertEquals(questions, got.size(), policy);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).questionId(), got.get(i).questionId(), policy + " question " + i);
                assertEquals(expected.get(i).text(), got.get(i).text(), policy + " question " + i);
                assertEquals(expected.get(i).metadata(), got.get(i).metadata(), policy + " question " + i);
            }
            assertEquals(Files.readString(RunLayout.at(reference).predictions(policy)), Files.readString(RunLayout.at(out).predictions(policy)));
            Set<String> ids = new HashSet<>();
            int rows = 0;
            try (Stream<Path> parts = Files.list(out.resolve("parts").resolve(RunLayout.slug(policy)))) {
                for (Path part : parts.toList()) {
                    assertTrue(part.getFileName().toString().matches("scene000[0-9]_00\\.jsonl"), "stray file " + part);
                    for (Prediction p : PredictionFile.read(part)) {
                        rows++;
                        assertTrue(ids.add(p.questionId().value()), "question " + p.questionId() + " answered twice under " + policy);
                    }
                }
            }
            assertEquals(questions, rows, policy);
        }
    }

    @Test
    void localJobAnswersAsTheSingleProcessRunAndARerunSkipsEveryScene() throws Exception {
        Path out = files.resolve("local");
        SparkEvalJob.Result first = SparkEval.run("local[2]", job(out, 0), Map.of());
        assertSameAsSingleProcess(out);
        assertEquals(SCENES, first.reports().size());
        assertEquals(questions * SWEEP.size(), first.summary().timing().get("answers").asInt());
        assertEquals(1, first.summary().timing().get("executor_jvms").asInt());

        SparkEvalJob.Result again = SparkEval.run("local[2]", job(out, 0), Map.of());
        assertEquals(0, again.reports().size(), "a rerun found every scene committed");
        assertEquals(SCENES, again.summary().timing().get("scenes_skipped").asInt());
        assertSameAsSingleProcess(out);
    }

    @Test
    void twoExecutorJvmsWithAFailedTaskGiveEveryAnswerOnce() throws Exception {
        Path home = SparkHome.assemble(Path.of(System.getenv("SPARK_HOME")));
        Path out = files.resolve("cluster");
        SparkEvalJob.Result r = SparkEval.run("local-cluster[2,1,1024]", job(out, 1).withFailPartition(0), Map.of(
                "spark.executor.extraClassPath", SparkHome.classFolders(),
                "spark.scheduler.minRegisteredResourcesRatio", "1.0",
                "spark.home", home.toString()));
        assertSameAsSingleProcess(out);
        // The failed partition's second attempt found the scene its first attempt had committed, and skipped it.
        List<SceneReport> failed = r.reports().stream().filter(s -> s.partition() == 0).toList();
        assertTrue(failed.stream().allMatch(s -> s.attempt() == 1), failed.toString());
        assertTrue(failed.getFirst().skipped(), failed.toString());
        assertEquals(SCENES, r.reports().size(), r.reports().toString());
        Set<Long> jvms = new HashSet<>();
        for (SceneReport s : r.reports()) {
            jvms.add(s.pid());
            assertTrue(s.vectorModule(), "executor " + s.executor() + " lacks jdk.incubator.vector");
            assertTrue(s.modelOpens() <= 1, "executor " + s.executor() + " opened the model " + s.modelOpens() + " times");
            assertTrue(s.pid() != ProcessHandle.current().pid(), "the work ran in the driver's JVM");
        }
        assertEquals(2, jvms.size(), r.reports().toString());
    }
}
