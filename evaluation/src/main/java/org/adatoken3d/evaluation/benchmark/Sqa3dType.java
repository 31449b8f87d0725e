package org.adatoken3d.evaluation.benchmark;

import org.adatoken3d.evaluation.metrics.PythonText;

/**
 * SQA3D's question types 0-5 as the community scores them per type: {@code get_sqa_question_type} in LEO
 * (embodied-generalist/embodied-generalist {@code data/data_utils.py}), which LLaVA-3D's
 * {@code llava/eval/sqa3d_evaluator.py} reads back as the answer file's {@code type}: the question's leading
 * whitespace is dropped and its first letters compared, case-insensitively, with what / is / how / can / which.
 * A prefix, not a word: "Isn't ..." is type 1 and "Island ..." would be too.
 */
public enum Sqa3dType {
    WHAT(0, "what"),
    IS(1, "is"),
    HOW(2, "how"),
    CAN(3, "can"),
    WHICH(4, "which"),
    OTHERS(5, null);

    private final int code;
    private final String prefix;

    Sqa3dType(int code, String prefix) {
        this.code = code;
        this.prefix = prefix;
    }

    /** The number (0-5) the evaluators print as {@code EM_type<code>}. */
    public int code() {
        return code;
    }

    public static Sqa3dType of(String question) {
        String q = PythonText.lstrip(question);
        for (Sqa3dType t : values()) {
            if (t.prefix != null && PythonText.lowerPrefix(q, t.prefix.length()).equals(t.prefix)) return t;
        }
        return OTHERS;
    }
}
