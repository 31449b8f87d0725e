package org.adatoken3d.evaluation.benchmark;

import java.util.List;

/**
 * One entry of ScanQA's {@code ScanQA_v1.0_{split}.json}. {@code answers} is empty for the test splits, whose
 * answers are not public; {@code objectIds} and {@code objectNames} are empty where the split has none
 * ({@code test_wo_obj}).
 */
public record ScanQaQuestion(
        String sceneId, List<Integer> objectIds, List<String> objectNames, QuestionId questionId, String question, List<String> answers) {
    public ScanQaQuestion {
        objectIds = List.copyOf(objectIds);
        objectNames = List.copyOf(objectNames);
        answers = List.copyOf(answers);
    }

    public ScanQaType type() {
        return ScanQaType.of(question);
    }
}
