package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.adatoken3d.evaluation.run.BenchmarkRun;
import org.adatoken3d.evaluation.run.QuestionSource;
import org.adatoken3d.evaluation.run.RunLayout;
import org.adatoken3d.evaluation.run.RunSettings;
import org.adatoken3d.evaluation.run.RunSummary;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.evaluation.run.SpatialQaExport;
import org.adatoken3d.evaluation.spark.JobSpec;
import org.adatoken3d.evaluation.spark.QuestionSpec;
import org.adatoken3d.evaluation.spark.SparkEval;
import org.adatoken3d.evaluation.spark.SparkPresence;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.SceneOptions;
import org.adatoken3d.pruning.PruneSpec;

/**
 * {@code eval}'s benchmark run: a question file in one of the formats users have, every policy of a sweep, LLaVA-3D
 * prediction files and a summary in {@code --out}; in this process, or as a Spark job with {@code --spark}.
 */
final class BenchmarkEval {
    private final EvalCommand o;

    BenchmarkEval(EvalCommand options) {
        this.o = options;
    }

    void run() {
        if (o.writeBenchmarkFiles != null) {
            writeFiles();
            return;
        }
        if (o.sweep || o.answers) throw new UserException("--sweep and --answers are for a spatial-QA split without --out; a benchmark run sweeps with --policies");
        if (o.out == null) throw new UserException("a benchmark run needs --out DIR for its predictions and summary");
        QuestionSpec spec = questionSpec();
        if (o.scenesRoot == null && spec.format() != QuestionSpec.Format.SPATIAL_QA) {
            throw new UserException("--scenes-root DIR is required: " + spec.format().name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + " questions name scenes by scene_id");
        }
        checkInputs();
        // A rerun into the same --out resumes it, so the folder may hold an earlier run; it must not hold what is read.
        Outputs.apart("--out", o.out, inputs().toArray(Path[]::new));
        if (Files.exists(o.out) && !Files.isDirectory(o.out)) throw new UserException("--out " + o.out + ": is a file, not a folder");
        if (o.saveScenes != null) Outputs.apart("--save-scenes", o.saveScenes, o.model.model, o.out);
        List<String> policies = policies();
        RunSettings settings = new RunSettings(policies, o.maxTokens, o.modelId != null ? o.modelId : o.model.model.toAbsolutePath().normalize().getFileName().toString());
        SceneLocation scenes = o.scenesRoot == null ? null : SceneLocation.folder(o.scenesRoot, new SceneOptions(o.views, 0, null), o.saveScenes);
        RunSummary summary = o.spark != null ? spark(spec, scenes, settings) : single(spec, scenes, settings);
        summary.table().forEach(System.out::println);
        var t = summary.timing();
        System.out.printf(Locale.ROOT, "%d questions (%d scored) about %d scenes; %s: %d answers in %.1f s (%.2f answers/s), %d scenes skipped as done%n",
                summary.questionCount(), summary.scoredCount(), summary.scenes(), t.path("runner").asText(), t.path("answers").asLong(),
                t.path("seconds").asDouble(), t.has("job_seconds") ? t.path("answers").asLong() / t.path("job_seconds").asDouble()
                        : t.path("answers_per_second").asDouble(), t.path("scenes_skipped").asInt());
        if (t.has("spark_start_seconds")) {
            System.out.printf(Locale.ROOT, "spark: context started in %.1f s, job %.1f s over %d partitions on %d executor JVMs%n",
                    t.path("spark_start_seconds").asDouble(), t.path("job_seconds").asDouble(), t.path("partitions").asInt(), t.path("executor_jvms").asInt());
        }
        RunLayout layout = RunLayout.at(o.out);
        System.out.println("predictions: " + layout.predictions(policies.getFirst()).getParent() + "/<policy>.jsonl; summary: " + layout.summary());
    }

    /** The sweep's policies, each parsed now so that a typo is found before the model loads, named by its option. */
    private List<String> policies() {
        String option = o.policies != null ? "--policies" : "--prune";
        List<String> policies = RunSettings.parsePolicies(o.policies != null ? o.policies : o.prune != null ? o.prune : "none");
        for (String p : policies) {
            try {
                PruneSpec.parse(p);
            } catch (EngineArgumentException e) {
                throw new UserException(option + ": " + e.problem());
            }
        }
        return policies;
    }

    private void checkInputs() {
        if (o.questionsFile != null) Outputs.existingFile("--questions", o.questionsFile);
        if (o.scanQaFile != null) Outputs.existingFile("--scanqa", o.scanQaFile);
        if (o.sqa3dFiles != null) for (Path f : o.sqa3dFiles) Outputs.existingFile("--sqa3d", f);
        if (o.llava3dFile != null) Outputs.existingFile("--llava3d-questions", o.llava3dFile);
        if (o.scenesRoot != null) Outputs.existingFolder("--scenes-root", o.scenesRoot);
    }

    /** Everything a benchmark run reads. */
    private List<Path> inputs() {
        List<Path> in = new ArrayList<>(List.of(o.model.model));
        for (Path p : new Path[] {o.questionsFile, o.scanQaFile, o.llava3dFile, o.scenesRoot}) if (p != null) in.add(p);
        if (o.sqa3dFiles != null) in.addAll(o.sqa3dFiles);
        return in;
    }

    private QuestionSpec questionSpec() {
        List<QuestionSpec> given = new ArrayList<>();
        if (o.questionsFile != null) given.add(new QuestionSpec(QuestionSpec.Format.SPATIAL_QA, List.of(o.questionsFile.toString()), o.limit));
        if (o.scanQaFile != null) given.add(new QuestionSpec(QuestionSpec.Format.SCANQA, List.of(o.scanQaFile.toString()), o.limit));
        if (o.sqa3dFiles != null) given.add(new QuestionSpec(QuestionSpec.Format.SQA3D, o.sqa3dFiles.stream().map(Path::toString).toList(), o.limit));
        if (o.llava3dFile != null) given.add(new QuestionSpec(QuestionSpec.Format.LLAVA3D, List.of(o.llava3dFile.toString()), o.limit));
        if (given.size() != 1) throw new UserException("give exactly one of --questions, --scanqa, --sqa3d or --llava3d-questions");
        return given.getFirst();
    }

    private RunSummary single(QuestionSpec spec, SceneLocation scenes, RunSettings settings) {
        QuestionSource source = spec.read();
        try (Llava3d llava = o.model.open()) {
            SceneLocation where = scenes != null ? scenes : source.ownScenes();
            return BenchmarkRun.run(llava, source, where, settings, o.out, (done, total, scene, questions, skipped) ->
                    Progress.update(String.format(Locale.ROOT, "eval: scene %d/%d %s (%d questions)%s", done, total, scene, questions,
                            skipped ? ", done earlier" : ""), done == total));
        }
    }

    private RunSummary spark(QuestionSpec spec, SceneLocation scenes, RunSettings settings) {
        if (!SparkPresence.onClassPath()) {
            throw new UserException("--spark needs Spark on the class path; ./adatoken3d puts it there when --spark is given "
                    + "(the build writes cli/target/spark.classpath)");
        }
        int threads = o.model.threads == null ? 0 : o.model.threads;
        JobSpec job = new JobSpec(o.model.model.toAbsolutePath().normalize().toString(), threads, absolute(spec), scenes, settings,
                o.out.toAbsolutePath().normalize().toString(), o.partitions, -1);
        return SparkEval.run(o.spark, job, Map.of()).summary();
    }

    /** Executors may run elsewhere than the working directory; they get absolute paths. */
    private static QuestionSpec absolute(QuestionSpec spec) {
        return new QuestionSpec(spec.format(), spec.files().stream().map(f -> Path.of(f).toAbsolutePath().normalize().toString()).toList(), spec.limit());
    }

    private void writeFiles() {
        if (o.questionsFile == null) throw new UserException("--write-benchmark-files writes a spatial-QA split: give it with --questions");
        Outputs.existingFile("--questions", o.questionsFile);
        try (Outputs.Folder folder = Outputs.folder("--write-benchmark-files", o.writeBenchmarkFiles, o.force, o.model.model, o.questionsFile);
             Llava3d llava = o.model.open()) {
            int n = Outputs.writing(folder, () -> SpatialQaExport.write(llava, o.questionsFile, null, folder.staging()));
            folder.commit();
            System.out.printf("wrote %d questions as %s, %s + %s and %s, scenes in %s%n", n, SpatialQaExport.SCANQA, SpatialQaExport.SQA3D_QUESTIONS,
                    SpatialQaExport.SQA3D_ANNOTATIONS, SpatialQaExport.LLAVA3D_QUESTIONS, o.writeBenchmarkFiles.resolve(SpatialQaExport.SCENES));
        }
    }
}
