package org.adatoken3d.evaluation.metrics;

import java.util.List;

/**
 * EM@1 and EM@1-refined of one cleaned prediction against its cleaned references, as LEO's {@code answer_match}
 * (embodied-generalist {@code evaluator/scanqa_eval.py}, copied into LLaVA-3D's evaluators) decides them:
 * exact when the prediction equals a reference; refined also when, whitespace removed, either contains the
 * other. An empty prediction is contained in every reference, so it always counts as refined (as there).
 */
public record AnswerMatch(boolean exact, boolean refined) {
    public static AnswerMatch of(String prediction, List<String> references) {
        if (references.contains(prediction)) return new AnswerMatch(true, true);
        String p = PythonText.withoutSpace(prediction);
        for (String reference : references) {
            String r = PythonText.withoutSpace(reference);
            if (r.contains(p) || p.contains(r)) return new AnswerMatch(false, true);
        }
        return new AnswerMatch(false, false);
    }
}
