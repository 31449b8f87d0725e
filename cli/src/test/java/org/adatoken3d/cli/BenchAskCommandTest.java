package org.adatoken3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench ask} at the tiny shape: it runs scene to answer and prints every stage (no figure is checked: they are times). */
class BenchAskCommandTest {
    @TempDir static Path dir;

    static final List<String> STAGES = List.of("read + preprocess", "CLIP", "unprojection + pooling", "projector", "prefill", "decode (2 tokens)",
            "sum of the stages", "end to end (wall)");

    private static CliRun ask(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("bench", "ask", "--shape", "tiny", "--views", "3", "--tokens", "3", "--dir",
                dir.resolve("bench-ask").toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertEveryStage(CliRun r) {
        assertEquals(0, r.exit(), r.stderr());
        for (String stage : STAGES) assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(stage)), () -> "no " + stage + " row in\n" + r.out());
        assertTrue(r.out().contains("shape: the tiny preset (not the 7B shape)"), r.out());
        assertTrue(r.out().contains("scene: 3 views -> 1728 patches -> "), r.out());
        assertTrue(r.out().matches("(?s).*AdaToken (keep=0.3|tau=0.05),layer=2: kept \\d+ of \\d+ spatial tokens.*"), r.out());
        assertTrue(r.out().contains("end-to-end speed-up of AdaToken over unpruned: "), r.out());
        assertTrue(r.out().contains("CLIP tower: "), r.out());
    }

    @Test
    void runsSceneToAnswerAndPrintsEveryStage() {
        CliRun r = ask("--runs", "2");
        assertEveryStage(r);
        assertTrue(r.out().contains("medians of 2 runs of each policy, in rounds alternating them"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("bench-ask/tiny/config.json")), "the synthetic checkpoint is kept for the next run");
        assertTrue(Files.isDirectory(dir.resolve("bench-ask/scene/pose")), "the synthetic room is kept for the next run");
    }

    @Test
    void withPyTorchEveryStageHasTheTorchTimesAndRatios() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        String unavailable = null;
        if (!Files.isExecutable(python)) {
            unavailable = python + " does not exist";
        } else {
            Process p = new ProcessBuilder(python.toString(), "-c", "import torch, numpy, PIL").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) unavailable = "python3 cannot import torch, numpy and PIL: " + out.strip();
        }
        if (unavailable != null) {
            if (System.getenv("CI") != null) fail("CI must run bench ask --vs-torch, but " + unavailable);
            System.err.println("BENCH ASK --vs-torch DID NOT RUN: " + unavailable + " (./run-tests installs python3-torch and python3-pil when run as root)");
            Assumptions.abort(unavailable);
        }
        CliRun r = ask("--vs-torch", "--prune", "tau=0.05");
        assertEveryStage(r);
        assertTrue(r.out().contains("PyTorch unpruned s"), r.out());
        for (String stage : STAGES.subList(0, 6)) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(stage) && l.matches(".*\\d+\\.\\d+x, \\d+\\.\\d+x$")),
                    () -> "no PyTorch ratios in the " + stage + " row of\n" + r.out());
        }
        assertTrue(r.out().contains("PyTorch 1."), r.out());
    }
}
