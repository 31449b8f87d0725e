package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * LLaVA-3D's {@code clean_answer} (llava/eval/scanqa_evaluator.py and sqa3d_evaluator.py in ZCMax/LLaVA-3D, copied
 * from LEO: embodied-generalist {@code data/data_utils.py}), step for step and in the same order, with Python's
 * regex meaning kept: {@code \s} is Python's whitespace ({@link PythonText#SPACE_CLASS}) and {@code $} also
 * matches before a final newline ({@link Pattern#UNIX_LINES} makes Java's {@code $} do the same).
 *
 * <p>The order has consequences the port keeps: the {@code ç} and {@code ’} replacements run after every
 * non-ASCII character was already removed, so they never fire; {@code tv} becomes upper-case {@code TV} after
 * lower-casing; "none" becomes "zero".
 */
public final class AnswerCleaner {
    private record Rule(Pattern pattern, String replacement) {}

    private static final List<Rule> RULES = rules();

    private AnswerCleaner() {}

    public static String clean(String answer) {
        String data = answer.toLowerCase(Locale.ROOT);
        for (Rule r : RULES) data = r.pattern.matcher(data).replaceAll(r.replacement);
        return data;
    }

    private static List<Rule> rules() {
        List<Rule> r = new ArrayList<>();
        add(r, "[ ]+$", "");
        add(r, "^[ ]+", "");
        add(r, " {2,}", " ");
        add(r, "\\.[ ]{2,}", ". ");
        add(r, "[^a-zA-Z0-9,'" + PythonText.SPACE_CLASS + "\\-:]+", "");
        add(r, "ç", "c");
        add(r, "’", "'");
        String[][] words = {
            {"letf", "left"}, {"let", "left"}, {"tehre", "there"}, {"rigth", "right"}, {"rght", "right"}, {"behine", "behind"},
            {"tv", "TV"}, {"chai", "chair"}, {"wasing", "washing"}, {"waslked", "walked"}, {"oclock", "o'clock"},
        };
        for (String[] w : words) add(r, "\\b" + w[0] + "\\b", w[1]);
        add(r, "\\bo'[ ]+clock\\b", "o'clock");
        String[][] numbers = {
            {"0", "zero"}, {"none", "zero"}, {"1", "one"}, {"2", "two"}, {"3", "three"}, {"4", "four"}, {"5", "five"}, {"6", "six"},
            {"7", "seven"}, {"8", "eight"}, {"9", "nine"}, {"10", "ten"}, {"11", "eleven"}, {"12", "twelve"}, {"13", "thirteen"},
            {"14", "fourteen"}, {"15", "fifteen"}, {"16", "sixteen"}, {"17", "seventeen"}, {"18", "eighteen"}, {"19", "nineteen"},
            {"20", "twenty"}, {"23", "twenty-three"},
        };
        for (String[] n : numbers) add(r, "\\b" + n[0] + "\\b", n[1]);
        add(r, "\\b([a-zA-Z]+)([0-9])\\b", "$1");
        add(r, "\\ba\\b ([a-zA-Z]+)", "$1");
        add(r, "\\ban\\b ([a-zA-Z]+)", "$1");
        add(r, "\\bthe\\b ([a-zA-Z]+)", "$1");
        add(r, "\\bbackwards\\b", "backward");
        return List.copyOf(r);
    }

    private static void add(List<Rule> rules, String regex, String replacement) {
        rules.add(new Rule(Pattern.compile(regex, Pattern.UNIX_LINES), replacement));
    }
}
