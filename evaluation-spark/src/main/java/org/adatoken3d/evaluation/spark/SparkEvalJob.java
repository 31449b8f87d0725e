package org.adatoken3d.evaluation.spark;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.adatoken3d.evaluation.run.BenchmarkQuestion;
import org.adatoken3d.evaluation.run.BenchmarkRun;
import org.adatoken3d.evaluation.run.QuestionSource;
import org.adatoken3d.evaluation.run.RunLayout;
import org.adatoken3d.evaluation.run.RunSummary;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.kernels.EngineArgumentException;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver's side of a job: reads the questions, leaves out the scenes an earlier run committed, spreads the rest
 * over partitions by scene, runs {@link SceneTask} on them, then merges the committed parts into prediction files and
 * the summary exactly as a single-process {@link BenchmarkRun} does.
 */
public final class SparkEvalJob {
    private SparkEvalJob() {}

    /** @param startSeconds how long the SparkContext took to start, for the summary's timing */
    public record Result(RunSummary summary, List<SceneReport> reports) {}

    public static Result run(JavaSparkContext spark, JobSpec spec, double startSeconds) {
        long start = System.nanoTime();
        QuestionSource source = spec.questions().read();
        SceneLocation scenes = spec.scenes() != null ? spec.scenes() : source.ownScenes();
        if (scenes == null) throw new EngineArgumentException("scenesRoot", "is needed: " + source.description() + " does not say where its scenes are");
        RunLayout layout = RunLayout.at(Path.of(spec.out()));
        layout.prepare(BenchmarkRun.settingsJson(Path.of(spec.model()), source, scenes, spec.settings()));
        List<SceneWork> work = new ArrayList<>();
        int skipped = 0;
        for (Map.Entry<String, List<BenchmarkQuestion>> e : source.byScene().entrySet()) {
            if (layout.isDone(e.getKey(), spec.settings().policies())) skipped++;
            else work.add(new SceneWork(e.getKey(), e.getValue()));
        }
        int wanted = spec.partitions() > 0 ? spec.partitions() : spark.defaultParallelism();
        List<List<SceneWork>> bins = SceneBins.balance(work, wanted);
        long jobStart = System.nanoTime();
        List<SceneReport> reports = work.isEmpty() ? List.of() : spark.parallelize(bins, bins.size()).flatMap(new SceneTask(spec, scenes)).collect();
        double jobSeconds = (System.nanoTime() - jobStart) / 1e9;

        ObjectNode timing = JsonNodeFactory.instance.objectNode();
        timing.put("runner", "spark " + spark.master());
        timing.put("spark_start_seconds", startSeconds);
        timing.put("partitions", work.isEmpty() ? 0 : bins.size());
        timing.put("scenes_run", work.size());
        timing.put("scenes_skipped", skipped);
        long answers = 0, encode = 0, answer = 0;
        Map<Long, Integer> opens = new TreeMap<>();
        for (SceneReport r : reports) {
            if (!r.skipped()) answers += (long) r.questions() * spec.settings().policies().size();
            encode += r.encodeNanos();
            answer += r.answerNanos();
            opens.merge(r.pid(), r.modelOpens(), Math::max);
        }
        timing.put("answers", answers);
        timing.put("job_seconds", jobSeconds);
        timing.put("answers_per_second", answers / jobSeconds);
        timing.put("task_encode_seconds", encode / 1e9);
        timing.put("task_answer_seconds", answer / 1e9);
        timing.put("executor_jvms", opens.size());
        ObjectNode perJvm = timing.putObject("model_opens_per_jvm");
        opens.forEach((pid, n) -> perJvm.put(Long.toString(pid), n));
        timing.put("seconds", (System.nanoTime() - start) / 1e9 + startSeconds);
        return new Result(BenchmarkRun.finish(layout, source, spec.settings(), timing), reports);
    }
}
