package org.adatoken3d.evaluation.benchmark;

/**
 * ScanQA's question types as its authors' scorer assigns them ({@code qclass1} in ATR-DBI/ScanQA
 * {@code scripts/score.py}): the first rule whose phrase occurs anywhere in the question, case-sensitive.
 */
public enum ScanQaType {
    PLACE("Place"),
    NUMBER("Number"),
    COLOR("Color"),
    OBJECT_NATURE("Object nature"),
    OBJECT("Object"),
    OTHER("Other");

    private final String label;

    ScanQaType(String label) {
        this.label = label;
    }

    /** The name the community's tables print. */
    public String label() {
        return label;
    }

    public static ScanQaType of(String question) {
        if (question.contains("Where")) return PLACE;
        if (question.contains("How many")) return NUMBER;
        if (question.contains("What color") || question.contains("What is the color")) return COLOR;
        if (question.contains("What shape") || question.contains("What type") || question.contains("What kind")) return OBJECT_NATURE;
        if (question.contains("What is")) return OBJECT;
        return OTHER;
    }
}
