package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QaScore;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.evaluation.qa.SceneSet;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Exact-match accuracy on spatial-QA questions, per question type, with or without pruning.", "",
                "Answers every question of a split (questions JSON + the scene file it names; format in "
                + "conformance/python/spatialqa/README.md) greedily and scores it by exact match. With --sweep it prints "
                + "accuracy against the share of spatial tokens kept for AdaToken (a tau sweep and the model's calibrated "
                + "profile), FastV, fixed budgets ranked by contribution, and random pruning at each of those budgets, "
                + "with the prefill FLOPs each spends."})
final class EvalCommand implements Runnable {
    /** The question types whose accuracy the task's target is about (conformance/python/spatialqa). */
    static final List<String> EASY_TYPES = List.of("colour", "shape", "exists");
    static final List<String> SWEEP_TAUS = List.of("0.5", "0.3", "0.2", "0.1", "0.05", "0.02", "0.01");
    static final List<String> SWEEP_KEEPS = List.of("0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9");

    @Mixin ModelOptions model;

    @Option(names = "--questions", paramLabel = "FILE.json", description = "Questions of a spatial-QA split; names its scene file.")
    Path questionsFile;

    @Option(names = "--scanqa", paramLabel = "FILE", description = "ScanQA questions (ScanQA_v1.0_{split}.json); scenes under --scenes-root.")
    Path scanQaFile;

    @Option(names = "--sqa3d", arity = "2", paramLabel = "FILE", description = "SQA3D questions and annotations "
            + "(v1_balanced_questions_{split}_scannetv2.json v1_balanced_sqa_annotations_{split}_scannetv2.json); scenes under --scenes-root.")
    List<Path> sqa3dFiles;

    @Option(names = "--llava3d-questions", paramLabel = "FILE", description = "LLaVA-3D question file ([{question_id, video, text}]); answered, not scored.")
    Path llava3dFile;

    @Option(names = "--scenes-root", paramLabel = "DIR", description = "Where scene_id's scene is: <scene_id>.safetensors (saved spatial tokens), "
            + "<scene_id>/ (ScanNet export) or <scene_id>.json (EmbodiedScan info).")
    Path scenesRoot;

    @Option(names = "--save-scenes", paramLabel = "DIR", description = "Save each scene encoded from frames as DIR/<scene_id>.safetensors, for --scenes-root DIR next time.")
    Path saveScenes;

    @Option(names = "--views", defaultValue = "20", paramLabel = "N", converter = Ranges.Count.class, description = "Views per scene encoded from frames (default: ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--policies", paramLabel = "'A;B;...'", description = "Benchmark run: the policies of a sweep, e.g. 'none;auto;random,keep=0.3' (default: --prune).")
    String policies;

    @Option(names = "--out", paramLabel = "DIR", description = "Benchmark run: LLaVA-3D prediction files, parts and summary.json go here; "
            + "a rerun into the same folder skips the scenes done.")
    Path out;

    @Option(names = "--max-tokens", defaultValue = "16", paramLabel = "N", converter = Ranges.Tokens.class, description = "Benchmark run: most answer tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--model-id", paramLabel = "ID", description = "Benchmark run: the model_id predictions carry (default: the model folder's name).")
    String modelId;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Benchmark run as a Spark job on MASTER, e.g. local[2] (Spark is loaded only then).")
    String spark;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N", converter = Ranges.NonNegative.class, description = "Spark: tasks the scenes are spread over (default: Spark's parallelism).")
    int partitions;

    @Option(names = "--force", description = "With --write-benchmark-files: replace a folder that is not empty.")
    boolean force;

    @Option(names = "--write-benchmark-files", paramLabel = "DIR", description = "Write the --questions split as ScanQA, SQA3D and LLaVA-3D question "
            + "files with saved scenes (DIR/scenes) and stop.")
    Path writeBenchmarkFiles;

    @Option(names = "--prune", paramLabel = "POLICY",
            description = "Gate policy as for ask (none | tau=T | keep=R | fastv | random,... | auto; default: none); not with --sweep, "
                    + "which runs its own.")
    String prune;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Pruning profile for --prune auto and the sweep's calibrated row (default: the model folder's adatoken-profile.json).")
    Path profile;

    @Option(names = "--sweep", description = "Accuracy against spatial tokens kept, for AdaToken, FastV, fixed budgets and random.")
    boolean sweep;

    @Option(names = "--layer", defaultValue = "2", paramLabel = "K", converter = Ranges.Count.class, description = "Gate layer of the sweep's tau and keep rows (default: ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--query", defaultValue = "instruction", paramLabel = "last|instruction",
            description = "Query rows of the sweep's tau and keep rows: every instruction token, or only the last prompt token, which "
                    + "ranks the spatial tokens worse on the trained model (default: ${DEFAULT-VALUE}).")
    String query;

    @Option(names = "--limit", paramLabel = "N", converter = Ranges.Count.class, description = "Only the first N questions.")
    Integer limit;

    @Option(names = "--answers", description = "Also print every question with the answer given and expected (single policy).")
    boolean answers;

    @Override
    public void run() {
        if (writeBenchmarkFiles != null || scanQaFile != null || sqa3dFiles != null || llava3dFile != null || out != null || spark != null
                || policies != null) {
            new BenchmarkEval(this).run();
            return;
        }
        if (questionsFile == null) throw new UserException("one of --questions, --scanqa, --sqa3d or --llava3d-questions is required");
        if (sweep && prune != null) throw new UserException("--prune and --sweep do not go together: the sweep runs its own policies");
        if (!sweep && profile != null && prune != null && !PruneSpec.parse(prune).isAuto()) {
            throw new UserException("--profile is read only by --prune auto, but --prune is " + prune + "; drop one of them");
        }
        Outputs.existingFile("--questions", questionsFile);
        if (profile != null) Outputs.existingFile("--profile", profile);
        QuestionSet questions = QuestionSet.read(questionsFile).first(limit);
        SceneSet scenes = questions.readScenes();
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            QaRun run = new QaRun(llava, scenes);
            System.out.printf("eval: %d questions about %d scenes (%s), model %s%n", questions.questions().size(), scenes.size(),
                    scenes.file().getFileName(), m.directory());
            if (sweep) {
                sweep(llava, run, questions);
            } else {
                single(llava, run, questions);
            }
        }
    }

    private void single(Llava3d llava, QaRun run, QuestionSet questions) {
        GatePolicy gate = llava.policy(prune != null ? prune : profile != null ? "auto" : "none", profile);
        IntConsumer progress = progress(PruneSpec.format(gate), questions.questions().size());
        // One pass: the listed answers are the scored ones.
        QaScore score = run.score(questions, gate, (done, q, a) -> {
            if (answers) {
                System.out.printf("%4d scene %2d %-7s %-60s -> %-8s %s%n", done - 1, q.scene(), q.type(), q.question(), a.text(),
                        a.correct() ? "ok" : "expected " + q.answer());
            }
            progress.accept(done);
        });
        System.out.printf("prune %s%n", PruneSpec.format(gate));
        System.out.printf("  %-8s %8s %9s%n", "type", "accuracy", "right");
        for (String t : score.total().keySet()) {
            System.out.printf("  %-8s %7.1f%% %4d/%-4d%n", t, 100 * score.accuracy(t), score.correct().get(t), score.total().get(t));
        }
        System.out.printf("  %-8s %7.1f%% %4d/%-4d%n", "all", 100 * score.overall(),
                score.correct().values().stream().mapToInt(Integer::intValue).sum(), score.questions());
        System.out.printf("  spatial tokens kept %.1f%%, object tokens kept %.1f%%, prefill FLOPs %.1f%% of unpruned%n",
                100 * score.keptShare(), 100 * score.objectsKept(), 100 * score.flopsShare());
    }

    private record Row(String label, String spec) {}

    private void sweep(Llava3d llava, QaRun run, QuestionSet questions) {
        String options = ",layer=" + layer + ",query=" + query;
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("unpruned", "none"));
        for (String tau : SWEEP_TAUS) {
            rows.add(new Row("AdaToken tau=" + tau, "tau=" + tau + options));
            rows.add(new Row("  random, same budget", "random,tau=" + tau + options));
        }
        Path profileFile = profile != null ? profile : llava.model().directory().resolve(PruneSpec.PROFILE_FILE_NAME);
        if (Files.exists(profileFile)) {
            GatePolicy auto = llava.policy("auto", profile);
            rows.add(new Row("AdaToken profile (" + PruneSpec.format(auto) + ")", PruneSpec.format(auto)));
            if (auto instanceof GatePolicy.AdaptiveGate a) {
                rows.add(new Row("  random, same budget", PruneSpec.format(new GatePolicy.RandomGate(0, a))));
            }
        } else {
            Progress.say("eval: no pruning profile at %s; the sweep leaves the calibrated row out", profileFile);
        }
        rows.add(new Row("FastV (K=2, keep 50%)", "fastv"));
        for (String keep : SWEEP_KEEPS.reversed()) {
            rows.add(new Row("top by contribution keep=" + keep, "keep=" + keep + options));
            rows.add(new Row("  random keep=" + keep, "random,keep=" + keep + options));
        }
        List<String> types = new ArrayList<>(questions.types());
        // Rows print as they are measured (a sweep takes minutes), so the widths are fixed up front: the longest
        // label, and each type column as wide as its name or a percentage.
        int label = rows.stream().mapToInt(r -> r.label().length()).max().orElse(6);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-" + label + "s %6s %7s %6s %6s %6s", "policy", "kept", "objects",
                "FLOPs", "all", "easy"));
        for (String t : types) header.append(String.format(Locale.ROOT, " %" + Math.max(6, t.length()) + "s", t));
        System.out.println(header);
        for (Row row : rows) {
            GatePolicy gate = llava.policy(row.spec(), profile);
            IntConsumer progress = progress(row.spec(), questions.questions().size());
            QaScore s = run.score(questions, gate, (done, q, a) -> progress.accept(done));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + label + "s %5.1f%% %6.1f%% %5.1f%% %5.1f%% %5.1f%%",
                    row.label(), 100 * s.keptShare(), 100 * s.objectsKept(), 100 * s.flopsShare(), 100 * s.overall(),
                    100 * s.accuracy(EASY_TYPES)));
            for (String t : types) line.append(String.format(Locale.ROOT, " %" + (Math.max(6, t.length()) - 1) + ".1f%%", 100 * s.accuracy(t)));
            System.out.println(line);
        }
        System.out.println("tau and keep rows: gate layer K=" + layer + ", query " + query + "; kept: mean share of spatial tokens that pass");
        System.out.println("the gate; objects: of the object tokens among them;");
        System.out.println("FLOPs: mean prefill FLOPs over unpruned (FLOPs model, LM head on the last token); easy: " + String.join(", ", EASY_TYPES));
    }

    private static IntConsumer progress(String what, int total) {
        long start = System.nanoTime();
        return done -> {
            if (done % 50 == 0 || done == total) {
                Progress.update(String.format(Locale.ROOT, "eval %s: %d/%d questions (%.1f s)", what, done, total,
                        (System.nanoTime() - start) / 1e9), done == total);
            }
        };
    }
}
