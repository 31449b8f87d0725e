package org.adatoken3d.evaluation.qa;

import java.util.Locale;

/** One question about scene {@code scene} of a split, with its type (e.g. {@code colour}) and one-word answer. */
public record QaQuestion(int scene, String type, String question, String answer) {

    /** Exact match as the oracle scores it: equal after trimming, lower-casing and dropping a final full stop. */
    public boolean isAnsweredBy(String text) {
        return normalise(text).equals(normalise(answer));
    }

    static String normalise(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
