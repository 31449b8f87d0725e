package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.bench.TextTable;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QaScore;
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
 * Part 1 of {@code demo}: what AdaToken is for, measured on the spot. The trained spatial-QA checkpoint answers a
 * share of the held-out split unpruned, with AdaToken and with random pruning that keeps the same number of tokens of
 * each input; then one question random pruning gets wrong and AdaToken right, found in that run, with the report
 * showing where the kept tokens sit.
 *
 * <p>AdaToken gates after layer 2 here, the sweep's operating point ({@code eval --sweep}), not at the calibrated
 * profile's layer 3: by layer 3 this 5-layer model has read the scene, so any pruning there, random too, costs little
 * accuracy and saves fewer FLOPs, and the comparison would not show which tokens matter.
 */
final class TrainedModelDemo {
    /**
     * Every EVERY-th held-out question: 96 of 576, every type, three policies in well under a minute of the demo's
     * time on two cores. The whole split is what {@code eval --sweep} runs.
     */
    static final int EVERY = 6;
    /** AdaToken as the README's sweep row: tau=0.5 after layer 2, every instruction token as query. */
    static final String ADATOKEN = "tau=0.5,layer=2,query=instruction";

    private TrainedModelDemo() {}

    record Policy(String name, GatePolicy gate) {}

    static void run(Path dir, Path reportDir) {
        Path modelDir = dir.resolve("model");
        if (!Files.isRegularFile(modelDir.resolve("config.json"))) {
            System.out.printf("%nPart 1 skipped: no trained model at %s%n", modelDir);
            return;
        }
        QuestionSet split = QuestionSet.read(dir.resolve("heldout-questions.json"));
        QuestionSet questions = share(split);
        SceneSet scenes = questions.readScenes();
        try (Llava3d llava = Llava3d.open(modelDir, EngineOptions.defaults().withKvBudgetBytes(1L << 30))) {
            Model m = llava.model();
            GatePolicy adaptive = llava.policy(ADATOKEN);
            List<Policy> policies = List.of(new Policy("unpruned", new GatePolicy.NoPruning()), new Policy("AdaToken", adaptive),
                    new Policy("random", new GatePolicy.RandomGate(0, adaptive)));
            var c = m.config();
            System.out.printf("%nPart 1. Why AdaToken: a trained model, %s (LLaMA decoder, %d layers, hidden %d, trained on synthetic%n",
                    modelDir, c.numLayers(), c.hiddenSize());
            System.out.printf("  rooms), answers %d of the %d held-out questions (every %d-th: all %d types)%n",
                    questions.questions().size(), split.questions().size(), EVERY, questions.types().size());
            System.out.printf("  AdaToken: %s; random: as many tokens of each input as AdaToken kept, chosen at random%n%n",
                    PruneSpec.format(adaptive));
            QaRun run = new QaRun(llava, scenes);
            Map<String, QaScore> scores = new LinkedHashMap<>();
            Map<String, List<QaRun.Answer>> answers = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            for (Policy p : policies) {
                List<QaRun.Answer> given = new ArrayList<>();
                scores.put(p.name(), run.score(questions, p.gate(), (done, q, a) -> {
                    given.add(a);
                    if (done % 32 == 0 || done == questions.questions().size()) {
                        Progress.update(String.format("demo %s: %d/%d questions (%.1f s)", p.name(), done, questions.questions().size(),
                                (System.nanoTime() - t0) / 1e9), done == questions.questions().size());
                    }
                }));
                answers.put(p.name(), given);
            }
            TextTable table = new TextTable("policy", "right", "accuracy", "spatial tokens kept", "object tokens kept", "prefill FLOPs");
            for (Policy p : policies) {
                QaScore s = scores.get(p.name());
                int right = s.correct().values().stream().mapToInt(Integer::intValue).sum();
                table.row(p.name(), right + "/" + s.questions(), String.format("%.1f%%", 100 * s.overall()), String.format("%.1f%%", 100 * s.keptShare()),
                        String.format("%.1f%%", 100 * s.objectsKept()), String.format("%.1f%%", 100 * s.flopsShare()));
            }
            table.print(System.out, "  ");
            QaScore ada = scores.get("AdaToken"), random = scores.get("random");
            System.out.printf("%n  At the same share of tokens, AdaToken answers %.1f%% right and random pruning %.1f%%. AdaToken keeps the%n"
                    + "  tokens the question attends to: %.0f%% of the object tokens, against %.0f%% for random.%n",
                    100 * ada.overall(), 100 * random.overall(), 100 * ada.objectsKept(), 100 * random.objectsKept());
            System.out.println("  (The model's calibrated profile gates after layer 3, where this small model has already read the scene");
            System.out.println("  and random pruning costs little too; ./adatoken3d eval --sweep shows every budget, and the profile's row.)");
            int shown = firstWhereOnlyAdaTokenIsRight(answers.get("AdaToken"), answers.get("random"));
            if (shown < 0) {
                System.out.println("\n  (no question in this share that AdaToken answers right and random pruning wrong)");
                return;
            }
            QaQuestion q = questions.questions().get(shown);
            QaRun.Answer a = answers.get("AdaToken").get(shown), r = answers.get("random").get(shown);
            System.out.printf("%n  A question random pruning gets wrong and AdaToken right (the first in this run), room %d:%n", q.scene());
            System.out.printf("    \"%s\"  expected: %s%n", q.question(), q.answer());
            System.out.printf("    AdaToken: %-8s kept %d of %d spatial tokens, %.0f%% of the object tokens%n", a.text(), a.keep().keptCount(),
                    a.keep().total(), 100 * a.objectsKept());
            System.out.printf("    random:   %-8s kept %d of %d spatial tokens, %.0f%% of the object tokens%n", r.text(), r.keep().keptCount(),
                    r.keep().total(), 100 * r.objectsKept());
            writeReport(llava, run, q, adaptive, reportDir);
        }
    }

    /** Every {@link #EVERY}-th question of {@code split}, in order. */
    static QuestionSet share(QuestionSet split) {
        List<QaQuestion> picked = new ArrayList<>();
        for (int i = 0; i < split.questions().size(); i += EVERY) picked.add(split.questions().get(i));
        return new QuestionSet(split.file(), split.scenesFile(), picked, split.sceneObjects());
    }

    /** The index of the first question AdaToken answered right and random pruning wrong, or -1. */
    static int firstWhereOnlyAdaTokenIsRight(List<QaRun.Answer> adaToken, List<QaRun.Answer> random) {
        for (int i = 0; i < adaToken.size(); i++) {
            if (adaToken.get(i).correct() && !random.get(i).correct()) return i;
        }
        return -1;
    }

    private static void writeReport(Llava3d llava, QaRun run, QaQuestion q, GatePolicy gate, Path reportDir) {
        SpatialTokens spatial = run.scene(q.scene());
        var sample = llava.measure(llava.prompt(spatial, q.question()), gate.query());
        KeepSet keep = gate.keepSet(sample.layer(gate.layer() - 1).contribution());
        Path html = Reports.replace(llava, q.question(), gate, sample.layers(), keep, spatial, reportDir);
        System.out.printf("%n  Where AdaToken's kept tokens sit for that question (3D view of kept and pruned tokens, per-layer%n"
                + "  contribution): %s%n", html.toAbsolutePath());
    }
}
