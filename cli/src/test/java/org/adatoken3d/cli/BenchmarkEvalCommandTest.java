package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.benchmark.PredictionFile;
import org.adatoken3d.evaluation.run.SpatialQaExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval}'s benchmark run on files {@code --write-benchmark-files} wrote from the committed held-out split. */
class BenchmarkEvalCommandTest {
    static final Path DIR = EvalCommandTest.DIR;

    @TempDir Path tmp;

    @Test
    void writesTheFormatsThenAnswersTheScanQaFileUnderASweep() throws Exception {
        Path files = tmp.resolve("bf");
        CliRun w = CliRun.of("eval", "--model", DIR.resolve("model").toString(), "--questions", DIR.resolve("heldout-questions.json").toString(),
                "--write-benchmark-files", files.toString());
        assertEquals(0, w.exit(), w.stderr());
        assertTrue(Files.isRegularFile(files.resolve(SpatialQaExport.SCENES).resolve("scene0047_00.safetensors")), w.out());
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of("eval", "--model", DIR.resolve("model").toString(), "--scanqa", files.resolve(SpatialQaExport.SCANQA).toString(),
                "--scenes-root", files.resolve(SpatialQaExport.SCENES).toString(), "--limit", "5", "--policies", "none;keep=0.5", "--out", out.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.out().contains("5 questions (5 scored) about 1 scenes; single process: 10 answers"), r.out());
        List<Prediction> keep = PredictionFile.read(out.resolve("predictions/keep=0.5.jsonl"));
        assertEquals(5, keep.size());
        assertEquals("val-scene0000-4", keep.get(4).questionId().value());
        assertTrue(Files.isRegularFile(out.resolve("summary.json")));
    }

    @Test
    void aBenchmarkFormatWithoutScenesRootIsOneClearError() {
        CliRun r = CliRun.of("eval", "--model", DIR.resolve("model").toString(), "--scanqa", "ScanQA_v1.0_val.json", "--out", tmp.toString());
        assertEquals(2, r.exit());
        assertTrue(r.stderr().contains("error: --scenes-root DIR is required: scanqa questions name scenes by scene_id"), r.stderr());
    }
}
