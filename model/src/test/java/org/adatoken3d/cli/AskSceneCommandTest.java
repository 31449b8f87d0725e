package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.model.scene.SyntheticScene;
import org.adatoken3d.model.synth.SynthPreset;
import org.adatoken3d.model.synth.SyntheticCheckpoint;
import org.adatoken3d.model.vision.ClipVisionConfig;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AskSceneCommandTest {
    @TempDir Path tmp;

    record Run(int exit, String out, String err) {}

    /** Runs the CLI in-process; commands print to System.out/err, so those are captured too. */
    private static Run run(String... args) {
        PrintStream out0 = System.out, err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            InspectCommandTest.Run r = InspectCommandTest.run(args);
            return new Run(r.exit(), out.toString(StandardCharsets.UTF_8) + r.out(), err.toString(StandardCharsets.UTF_8) + r.err());
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
    }

    @Test
    void asksAboutASceneEndToEndWithTimingsAndReport() throws Exception {
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 3, DType.F32, 1)
                .withVision(new ClipVisionConfig(64, 128, 2, 1, 56, 14, 1e-5, GeluForm.QUICK)).write(model, b -> {});
        Path scene = tmp.resolve("scene");
        SyntheticScene.write(scene, new SyntheticScene.Options(10, 96, 72, 3, 4, 5));
        Run r = run("ask", "--model", model.toString(), "--scene", scene.toString(), "--question", "What is red?", "--views", "4",
                "--max-tokens", "3", "--report", tmp.resolve("report").toString());
        assertEquals(0, r.exit(), r.err());
        for (String expected : new String[] {"warning: ", "skipped 2 of 10 frames", "8 frames with a valid pose (2 skipped), 4 views",
                "vision: view 4/4", "3D: 64 patches from 4 views ->", "prune tau=0.05,layer=2: kept",
                "timing: read+preprocess", "vision", "3D pooling", "prefill", "decode", "report: "}) {
            assertTrue(r.err().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.err());
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
        Run r = run("ask", "--model", model.toString(), "--scene", info.toString(), "--question", "What is at [1.0, 2.0, 0.5]?", "--views", "3",
                "--max-tokens", "2");
        assertEquals(0, r.exit(), r.err());
        for (String expected : new String[] {"scene " + info + " (EmbodiedScan info): 6 frames with a valid pose (0 skipped), 3 views, depth 1000 units/m",
                "question: click (1.0, 2.0, 0.5) m -> one token at prompt position ", "prune tau=0.05,layer=2: kept"}) {
            assertTrue(r.err().contains(expected), () -> "expected \"" + expected + "\" in:\n" + r.err());
        }
        Run bad = run("ask", "--model", model.toString(), "--scene", scene.toString(), "--question", "What is at [1.0, 2.0]?", "--views", "3");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("error: the question's \"[1.0, 2.0]\" looks like a click [x, y, z] but has 2 values"), bad.err());
    }

    @Test
    void sceneAndSpatialAreAlternativesAndBadScenesAreOneLine() throws Exception {
        Run both = run("ask", "--model", "m", "--scene", "s", "--spatial", "x.safetensors", "--question", "q");
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Path model = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 3, DType.F32, 1).write(model, b -> {});
        Run missing = run("ask", "--model", model.toString(), "--scene", tmp.resolve("nowhere").toString(), "--question", "q");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("error: " + tmp.resolve("nowhere") + ": is not a scene folder"), missing.err());
    }
}
