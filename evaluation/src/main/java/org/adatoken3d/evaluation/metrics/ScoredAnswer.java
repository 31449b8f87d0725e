package org.adatoken3d.evaluation.metrics;

import java.util.List;

/**
 * One question to score: the model's raw answer, the raw reference answers (ScanQA: all of them; SQA3D: the first,
 * as LLaVA-3D's evaluator takes it) and the label of its question type.
 */
public record ScoredAnswer(String prediction, List<String> references, String type) {
    public ScoredAnswer {
        references = List.copyOf(references);
        if (references.isEmpty()) throw new IllegalArgumentException("a scored answer needs at least one reference");
    }
}
