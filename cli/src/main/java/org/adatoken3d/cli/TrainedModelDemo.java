package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.Model;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;

/**
 * Part 1 of {@code demo}: the trained spatial-QA checkpoint answers questions about one held-out room, unpruned,
 * with AdaToken (the model's calibrated profile) and with random pruning at AdaToken's budget.
 */
final class TrainedModelDemo {
    /** The committed checkpoint and held-out split, relative to the project root. */
    static final Path DIR = Path.of("conformance", "spatialqa");
    /** A held-out room with many tokens and questions of several types. */
    static final int SCENE = 5;

    private TrainedModelDemo() {}

    static void run(Path dir, Path reportDir) {
        Path modelDir = dir.resolve("model");
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            System.out.printf("%nPart 1 skipped: no trained model at %s%n", modelDir);
            return;
        }
        QuestionSet questions = QuestionSet.read(dir.resolve("heldout-questions.json"));
        SceneSet scenes = questions.readScenes();
        try (Llava3d llava = Llava3d.open(modelDir, EngineOptions.defaults().withKvBudgetBytes(1L << 30))) {
            Model m = llava.model();
            GatePolicy adaptive = llava.hasProfile() ? llava.policy("auto") : GatePolicy.AdaptiveGate.defaults();
            List<GatePolicy> policies = List.of(new GatePolicy.NoPruning(), adaptive, new GatePolicy.RandomGate(0, adaptive));
            List<String> names = List.of("unpruned", "AdaToken", "random");
            QaRun run = new QaRun(llava, scenes);
            List<QaQuestion> asked = pick(questions);
            var c = m.config();
            System.out.printf("%nPart 1. A trained model: %s (LLaMA decoder, %d layers, hidden %d, mlp2x_gelu projector, trained on%n",
                    modelDir, c.numLayers(), c.hiddenSize());
            System.out.println("  synthetic rooms; accuracy: ./adatoken3d eval --model " + modelDir + " --questions "
                    + dir.resolve("heldout-questions.json") + " --sweep)");
            System.out.printf("  Held-out room %d: %d spatial tokens, %d of them on objects:%n", SCENE, scenes.tokens(SCENE),
                    objectTokens(scenes.owner(SCENE)));
            if (SCENE < questions.sceneObjects().size()) {
                System.out.println("    " + String.join(", ", questions.sceneObjects().get(SCENE)));
            }
            System.out.printf("  AdaToken: %s (from %s); random: the same number of tokens, chosen at random%n%n",
                    PruneSpec.format(adaptive), llava.hasProfile() ? "the model's calibrated profile" : "the defaults");
            // Warm-up with every policy: a pruned prefill runs code the unpruned one does not, and the first policy
            // to meet it uncompiled would be timed slower than it is.
            for (QaQuestion q : asked) {
                for (GatePolicy p : policies) run.answer(q, p);
            }
            System.out.printf("  %-58s %-9s %-12s %-12s %-12s%n", "question", "expected", names.get(0), names.get(1), names.get(2));
            double[] kept = new double[3], objects = new double[3], flops = new double[3], nanos = new double[3];
            int[] right = new int[3];
            for (QaQuestion q : asked) {
                StringBuilder line = new StringBuilder(String.format("  %-58s %-9s", q.question(), q.answer()));
                for (int p = 0; p < policies.size(); p++) {
                    QaRun.Answer a = run.answer(q, policies.get(p));
                    line.append(String.format(" %-12s", a.text() + (a.correct() ? " (ok)" : " (wrong)")));
                    kept[p] += a.keep().keptFraction() / asked.size();
                    objects[p] += a.objectsKept() / asked.size();
                    flops[p] += a.flopsShare() / asked.size();
                    nanos[p] += a.prefillNanos() / (double) asked.size();
                    if (a.correct()) right[p]++;
                }
                System.out.println(line);
            }
            System.out.println();
            for (int p = 0; p < policies.size(); p++) {
                System.out.printf("  %-9s %d/%d right; spatial tokens kept %5.1f%% (object tokens %5.1f%%); prefill FLOPs %5.1f%%;"
                        + " time to first token %.1f ms (%.2fx)%n", names.get(p), right[p], asked.size(), 100 * kept[p], 100 * objects[p],
                        100 * flops[p], nanos[p] / 1e6, nanos[0] / nanos[p]);
            }
            if (nanos[1] > nanos[0]) {
                System.out.printf("  (a prefill of this tiny model takes %.0f ms; the gate's own work, measuring the contribution and%n"
                        + "  compacting the KV cache, costs more than the pruned layers save at this size; part 2 shows the time saved%n"
                        + "  on a larger model)%n", nanos[0] / 1e6);
            }
            writeReport(llava, run, asked.getFirst(), adaptive, reportDir);
        }
    }

    /** The question types the demo asks about, in this order, when the room has one. */
    static final List<String> TYPES = List.of("colour", "shape", "exists", "left", "bigger", "count", "nearest");

    /** Up to five questions about {@link #SCENE}, the first of each type in {@link #TYPES}. */
    private static List<QaQuestion> pick(QuestionSet questions) {
        List<QaQuestion> out = new ArrayList<>();
        for (String type : TYPES) {
            questions.questions().stream().filter(q -> q.scene() == SCENE && q.type().equals(type)).findFirst().ifPresent(out::add);
        }
        if (out.isEmpty()) throw new IllegalStateException(questions.file() + " has no question about scene " + SCENE);
        return out.subList(0, Math.min(5, out.size()));
    }

    private static int objectTokens(int[] owner) {
        int n = 0;
        for (int o : owner) if (o >= 0) n++;
        return n;
    }

    private static void writeReport(Llava3d llava, QaRun run, QaQuestion q, GatePolicy gate, Path reportDir) {
        SpatialTokens spatial = run.scene(q.scene());
        var sample = llava.measure(llava.prompt(spatial, q.question()), gate.query());
        KeepSet keep = gate.keepSet(sample.layer(gate.layer() - 1).contribution());
        Path html = Reports.replace(llava, q.question(), gate, sample.layers(), keep, spatial, reportDir);
        System.out.printf("%n  Report for \"%s\" (per-layer contribution, 3D view of kept and pruned tokens):%n  %s%n",
                q.question(), html.toAbsolutePath());
    }
}
