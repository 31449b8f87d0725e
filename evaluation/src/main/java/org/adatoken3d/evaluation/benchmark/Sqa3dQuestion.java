package org.adatoken3d.evaluation.benchmark;

import java.util.List;

/**
 * One SQA3D question joined with its annotation. {@code answers} are the annotation's {@code answers[*].answer}
 * in file order; the evaluators score against the first.
 */
public record Sqa3dQuestion(
        String sceneId, QuestionId questionId, String situation, List<String> alternativeSituations, String question, List<String> answers) {
    public Sqa3dQuestion {
        alternativeSituations = List.copyOf(alternativeSituations);
        answers = List.copyOf(answers);
    }

    /**
     * The text the model is asked: situation, one space, question. This is how the LLaVA-3D question files
     * ({@code llava3d_sqa3d_{split}_question.json}) are built, e.g. by dragonlzm/PAVE's SQA3D conversion
     * ({@code 'text': ele['situation'] + ' ' + ele['question']}) and the same join in its training file builder.
     */
    public String prompt() {
        return situation + " " + question;
    }

    public Sqa3dType type() {
        return Sqa3dType.of(question);
    }
}
