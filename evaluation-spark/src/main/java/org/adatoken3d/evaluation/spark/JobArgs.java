package org.adatoken3d.evaluation.spark;

import java.util.List;
import org.adatoken3d.evaluation.run.RunSettings;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.llava3d.SceneOptions;

/** The arguments {@link SparkEval#main} takes under spark-submit (the same names as {@code ./adatoken3d eval}'s options). */
final class JobArgs {
    static final String USAGE = """
            usage: SparkEval --model DIR (--scanqa FILE | --sqa3d QFILE AFILE | --llava3d-questions FILE | --questions SPLIT.json)
                             [--scenes-root DIR] --out DIR [--policies 'none;auto;...'] [--max-tokens N] [--model-id ID]
                             [--threads N] [--partitions N] [--limit N] [--views N]""";

    private JobArgs() {}

    static JobSpec parse(String[] args) {
        String model = null, out = null, scenesRoot = null, modelId = null, policies = "none";
        QuestionSpec questions = null;
        int maxTokens = 16, threads = 0, partitions = 0, views = SceneOptions.defaults().views();
        Integer limit = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--model" -> model = value(args, ++i, a);
                case "--out" -> out = value(args, ++i, a);
                case "--scenes-root" -> scenesRoot = value(args, ++i, a);
                case "--model-id" -> modelId = value(args, ++i, a);
                case "--policies" -> policies = value(args, ++i, a);
                case "--max-tokens" -> maxTokens = number(args, ++i, a);
                case "--threads" -> threads = number(args, ++i, a);
                case "--partitions" -> partitions = number(args, ++i, a);
                case "--limit" -> limit = number(args, ++i, a);
                case "--views" -> views = number(args, ++i, a);
                case "--scanqa" -> questions = new QuestionSpec(QuestionSpec.Format.SCANQA, List.of(value(args, ++i, a)), null);
                case "--llava3d-questions" -> questions = new QuestionSpec(QuestionSpec.Format.LLAVA3D, List.of(value(args, ++i, a)), null);
                case "--questions" -> questions = new QuestionSpec(QuestionSpec.Format.SPATIAL_QA, List.of(value(args, ++i, a)), null);
                case "--sqa3d" -> {
                    String q = value(args, ++i, a);
                    questions = new QuestionSpec(QuestionSpec.Format.SQA3D, List.of(q, value(args, ++i, a)), null);
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (model == null) throw new IllegalArgumentException("--model is required");
        if (out == null) throw new IllegalArgumentException("--out is required");
        if (questions == null) throw new IllegalArgumentException("one of --scanqa, --sqa3d, --llava3d-questions, --questions is required");
        questions = new QuestionSpec(questions.format(), questions.files(), limit);
        SceneLocation scenes = scenesRoot == null ? null
                : new SceneLocation(SceneLocation.Kind.FOLDER, scenesRoot, views, SceneOptions.defaults().seed(), null);
        RunSettings settings = new RunSettings(RunSettings.parsePolicies(policies), maxTokens, modelId != null ? modelId : java.nio.file.Path.of(model).getFileName().toString());
        return new JobSpec(model, threads, questions, scenes, settings, out, partitions, -1);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int number(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got " + v);
        }
    }
}
