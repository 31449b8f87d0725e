package org.adatoken3d.evaluation.run;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.adatoken3d.evaluation.benchmark.Prediction;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruneSpec;

/**
 * Answers every question about one scene under every policy of a run: the unit of work a run commits. The rows hold
 * nothing that varies between two runs of the same work (no times, an {@code answer_id} derived from the question and
 * the policy), so a task that is run twice writes the same bytes.
 */
public final class SceneAnswers {
    private SceneAnswers() {}

    /** Per policy (in the settings' order), one prediction per question (in the given order). */
    public static Map<String, List<Prediction>> answer(Llava3d llava, String sceneId, SpatialTokens scene, List<BenchmarkQuestion> questions,
            RunSettings settings) {
        Map<String, List<Prediction>> out = new LinkedHashMap<>();
        GenerationOptions generation = GenerationOptions.greedy(settings.maxTokens());
        for (String policy : settings.policies()) {
            GatePolicy gate = llava.policy(policy);
            List<Prediction> rows = new ArrayList<>(questions.size());
            for (BenchmarkQuestion q : questions) {
                Answer a = llava.ask(scene, q.prompt(), gate, generation, null);
                ObjectNode metadata = JsonNodeFactory.instance.objectNode();
                metadata.put("policy", policy);
                metadata.put("gate", PruneSpec.format(gate));
                metadata.put("scene_id", sceneId);
                metadata.put("type", q.type());
                metadata.put("spatial_tokens", scene.count());
                metadata.put("kept_tokens", a.keepSet().keptCount());
                metadata.put("prefill_flops_share", a.prefillFlopsShare());
                rows.add(new Prediction(q.questionId(), q.prompt(), a.text().strip(), answerId(policy, q), settings.modelId(), metadata));
            }
            out.put(policy, rows);
        }
        return out;
    }

    static String answerId(String policy, BenchmarkQuestion q) {
        return UUID.nameUUIDFromBytes((policy + "\u0000" + q.questionId().value()).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
