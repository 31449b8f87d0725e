package org.adatoken3d.evaluation.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.evaluation.metrics.Meteor;
import org.adatoken3d.evaluation.metrics.QaScorer;
import org.adatoken3d.evaluation.metrics.WordNet;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

/**
 * A benchmark evaluation in one process: each scene encoded once and asked all of its questions under every policy,
 * committed scene by scene into a {@link RunLayout} (a rerun into the same folder skips the scenes already done),
 * then merged into LLaVA-3D prediction files and a summary.
 */
public final class BenchmarkRun {
    private BenchmarkRun() {}

    /** Hears each scene as it is done or skipped. */
    @FunctionalInterface
    public interface Listener {
        void scene(int done, int total, String sceneId, int questions, boolean skipped);
    }

    public static RunSummary run(Llava3d llava, QuestionSource source, SceneLocation scenes, RunSettings settings, Path out, Listener listener) {
        long start = System.nanoTime();
        RunLayout layout = RunLayout.at(out);
        layout.prepare(settingsJson(llava.model().directory(), source, scenes, settings));
        SceneLocation.Store store = scenes.open(llava);
        Map<String, List<BenchmarkQuestion>> byScene = source.byScene();
        int done = 0, run = 0, asked = 0;
        long encodeNanos = 0, answerNanos = 0;
        for (Map.Entry<String, List<BenchmarkQuestion>> scene : byScene.entrySet()) {
            boolean skip = layout.isDone(scene.getKey(), settings.policies());
            if (!skip) {
                long t0 = System.nanoTime();
                SpatialTokens tokens = store.tokens(scene.getKey());
                long t1 = System.nanoTime();
                layout.commit(scene.getKey(), SceneAnswers.answer(llava, scene.getKey(), tokens, scene.getValue(), settings));
                encodeNanos += t1 - t0;
                answerNanos += System.nanoTime() - t1;
                run++;
                asked += scene.getValue().size() * settings.policies().size();
            }
            if (listener != null) listener.scene(++done, byScene.size(), scene.getKey(), scene.getValue().size(), skip);
        }
        ObjectNode timing = JsonNodeFactory.instance.objectNode();
        timing.put("runner", "single process");
        timing.put("scenes_run", run);
        timing.put("scenes_skipped", byScene.size() - run);
        timing.put("answers", asked);
        timing.put("encode_seconds", encodeNanos / 1e9);
        timing.put("answer_seconds", answerNanos / 1e9);
        timing.put("seconds", (System.nanoTime() - start) / 1e9);
        timing.put("answers_per_second", asked / ((System.nanoTime() - start) / 1e9));
        return finish(layout, source, settings, timing);
    }

    /**
     * What {@code run.json} records: everything that decides the answers, so that a rerun into the same folder only
     * reuses parts answered the same way.
     */
    public static ObjectNode settingsJson(Path modelDir, QuestionSource source, SceneLocation scenes, RunSettings settings) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("model", modelDir.toAbsolutePath().normalize().toString());
        s.put("model_id", settings.modelId());
        var policies = s.putArray("policies");
        settings.policies().forEach(policies::add);
        s.put("max_tokens", settings.maxTokens());
        s.put("questions", source.description());
        s.put("question_count", source.questions().size());
        ObjectNode where = s.putObject("scenes");
        where.put("kind", scenes.kind().name().toLowerCase(java.util.Locale.ROOT));
        where.put("path", scenes.path());
        where.put("views", scenes.views());
        where.put("seed", scenes.seed());
        return s;
    }

    /** Merges the committed parts into prediction files and writes the summary (with {@code timing} as given). */
    public static RunSummary finish(RunLayout layout, QuestionSource source, RunSettings settings, JsonNode timing) {
        Map<String, List<Prediction>> predictions = layout.collect(source, settings.policies());
        layout.writePredictions(predictions);
        Map<String, String> gates = new LinkedHashMap<>();
        predictions.forEach((policy, rows) -> gates.put(policy, rows.getFirst().metadata().path("gate").asText(policy)));
        WordNet wordnet = WordNet.debianOrNull();
        RunSummary summary = RunSummary.of(source, predictions, gates, new QaScorer(new Meteor(wordnet)), wordnet != null, timing);
        layout.writeSummary(summary.toJson());
        return summary;
    }
}
