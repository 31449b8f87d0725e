package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.llava3d.synthetic.SyntheticScene;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.llava3d.vision.ClipVisionConfig;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AskSceneCommandTest {
    @TempDir Path tmp;



    @Test
    void asksAboutASceneEndToEndWithTimingsAndReport() throws Exception {
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 3, DType.F32, 1)
                .withVision(new ClipVisionConfig(64, 128, 2, 1, 56, 14, 1e-5, GeluForm.QUICK)).write(model, b -> {});
        Path scene = tmp.resolve("scene");
        SyntheticScene.write(scene, new SyntheticScene.Options(10, 96, 72, 3, 4, 5));
        CliRun r = CliRun.of("ask", "--model", model.toString(), "--scene", scene.toString(), "--question", "What is red?", "--views", "4",
                "--max-tokens", "3", "--report", tmp.resolve("report").toString());
        assertEquals(0, r.exit(), r.stderr());
        for (String expected : new String[] {"warning: ", "skipped 2 of 10 frames", "8 frames with a valid pose (2 skipped), 4 views",
                "vision: view 4/4", "3D: 64 patches from 4 views ->", "prune tau=0.05,layer=2: kept",
                "timing: read+preprocess", "vision", "3D pooling", "prefill", "decode", "report: "}) {
            assertTrue(r.stderr().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.stderr());
        }
        String html = Files.readString(tmp.resolve("report/index.html"));
        assertTrue(html.contains("const D={\"p\":["), "the report carries token positions for its 3D view");
    }

    @Test
    void asksAboutAnEmbodiedScanInfoSceneWithAClick() throws Exception {
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 3, DType.F32, 1)
                .withVision(new ClipVisionConfig(64, 128, 2, 1, 56, 14, 1e-5, GeluForm.QUICK)).write(model, b -> {});
        Path scene = tmp.resolve("scene");
        SyntheticScene.write(scene, new SyntheticScene.Options(6, 96, 72, 3, 4, 0), SyntheticScene.Layout.EMBODIEDSCAN);
        Path info = scene.resolve(SyntheticScene.INFO_FILE);
        CliRun r = CliRun.of("ask", "--model", model.toString(), "--scene", info.toString(), "--question", "What is at [1.0, 2.0, 0.5]?", "--views", "3",
                "--max-tokens", "2");
        assertEquals(0, r.exit(), r.stderr());
        for (String expected : new String[] {"scene " + info + " (EmbodiedScan info): 6 frames with a valid pose (0 skipped), 3 views, depth 1000 units/m",
                "question: click (1.0, 2.0, 0.5) m -> one token at prompt position ", "prune tau=0.05,layer=2: kept"}) {
            assertTrue(r.stderr().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.stderr());
        }
        CliRun bad = CliRun.of("ask", "--model", model.toString(), "--scene", scene.toString(), "--question", "What is at [1.0, 2.0]?", "--views", "3");
        assertEquals(2, bad.exit(), bad.stderr());
        assertTrue(bad.stderr().contains("error: --question part \"[1.0, 2.0]\" looks like a click [x, y, z] but has 2 values"), bad.stderr());
    }

    @Test
    void sceneAndSpatialAreAlternativesAndBadScenesAreOneLine() throws Exception {
        CliRun both = CliRun.of("ask", "--model", "m", "--scene", "s", "--spatial", "x.safetensors", "--question", "q");
        assertEquals(2, both.exit());
        assertTrue(both.stderr().contains("mutually exclusive"), both.stderr());
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 3, DType.F32, 1).write(model, b -> {});
        CliRun missing = CliRun.of("ask", "--model", model.toString(), "--scene", tmp.resolve("nowhere").toString(), "--question", "q");
        assertEquals(2, missing.exit());
        assertTrue(missing.stderr().contains("error: --scene " + tmp.resolve("nowhere") + ": no such file or folder"), missing.stderr());
    }
}
