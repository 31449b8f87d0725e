package org.adatoken3d.evaluation.benchmark;

/**
 * A question id as the file spelled it. ScanQA uses strings ("train-scene0000-0"), SQA3D numbers (220602000000),
 * and LLaVA-3D's files either; the numeric flag keeps the spelling so a prediction file written back has the
 * same JSON type as the question file, which LLaVA-3D's evaluators compare with {@code ==}.
 */
public record QuestionId(String value, boolean numeric) implements java.io.Serializable {
    public QuestionId {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("a question id cannot be empty");
        if (numeric && !value.matches("-?[0-9]+")) throw new IllegalArgumentException("numeric question id " + value + " is not an integer");
    }

    public static QuestionId of(String value) {
        return new QuestionId(value, false);
    }

    public static QuestionId of(long value) {
        return new QuestionId(Long.toString(value), true);
    }

    @Override
    public String toString() {
        return value;
    }
}
