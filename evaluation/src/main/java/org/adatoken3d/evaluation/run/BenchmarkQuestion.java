package org.adatoken3d.evaluation.run;

import java.io.Serializable;
import java.util.List;
import org.adatoken3d.evaluation.benchmark.QuestionId;

/**
 * One question of a benchmark as a run asks it, whatever file it came from.
 *
 * @param questionId as the file spelled it (predictions carry it back unchanged)
 * @param sceneId the scene it is about; names the scene's file or folder under a scene root
 * @param prompt the text the model is asked (SQA3D: situation and question joined)
 * @param references the answers it is scored against; empty when the file has none (test splits, LLaVA-3D question
 *     files), and then the question is answered but not scored
 * @param type the question type's label the scores are broken down by
 */
public record BenchmarkQuestion(QuestionId questionId, String sceneId, String prompt, List<String> references, String type)
        implements Serializable {
    public BenchmarkQuestion {
        references = List.copyOf(references);
    }

    public boolean isScored() {
        return !references.isEmpty();
    }
}
