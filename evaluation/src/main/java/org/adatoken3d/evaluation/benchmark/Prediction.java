package org.adatoken3d.evaluation.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One line of LLaVA-3D's prediction JSONL, as its {@code llava/eval/model_*.py} writes it: the question's id,
 * the prompt as asked, the generated {@code text}, a unique {@code answer_id}, the model's name and a free-form
 * {@code metadata} object (LLaVA-3D writes {@code {}}; this project puts the pruning policy and token counts
 * there). The metadata is copied in and out, so a record never shares a mutable node.
 */
public record Prediction(QuestionId questionId, String prompt, String text, String answerId, String modelId, ObjectNode metadata) {
    public Prediction {
        Objects.requireNonNull(questionId, "questionId");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(answerId, "answerId");
        Objects.requireNonNull(modelId, "modelId");
        metadata = metadata == null ? BenchmarkJson.mapper().createObjectNode() : metadata.deepCopy();
    }

    @Override
    public ObjectNode metadata() {
        return metadata.deepCopy();
    }
}
