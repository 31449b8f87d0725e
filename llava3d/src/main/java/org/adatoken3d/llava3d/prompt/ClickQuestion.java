package org.adatoken3d.llava3d.prompt;

import org.adatoken3d.kernels.EngineArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A question split at its clicks: every {@code [x, y, z]} in it (three numbers in metres, in the scene's
 * axis-aligned frame) is a point the user clicked, which LLaVA-3D's click encoder turns into one token in the
 * bracket's place (DESIGN.md §3).
 *
 * <p>A {@code [} starts a click when a number follows it (spaces and a sign allowed) and a comma comes before the
 * closing {@code ]}: such text must then be exactly three decimal numbers ({@code 1}, {@code -0.5}, {@code +.25},
 * {@code 2.}, {@code 1e-3}) separated by commas, or the question is an error that quotes it. Other brackets
 * ({@code [1]}, {@code [see above]}) stay text.
 *
 * @param texts the text around the clicks: {@code clicks.size() + 1} pieces, some possibly empty
 * @param clicks the clicked points in the order they appear
 */
public record ClickQuestion(List<String> texts, List<Click> clicks) {
    // Possessive quantifiers: a long run of digits cannot make the match backtrack through every split of it.
    private static final String NUMBER = "[+-]?(?:\\d++(?:\\.\\d*+)?|\\.\\d++)(?:[eE][+-]?\\d++)?";
    private static final Pattern CLICK = Pattern.compile("\\[\\s*(" + NUMBER + ")\\s*,\\s*(" + NUMBER + ")\\s*,\\s*(" + NUMBER + ")\\s*]");
    private static final Pattern STARTS_WITH_NUMBER = Pattern.compile("\\[\\s*[+-]?\\.?\\d");

    /**
     * A clicked point and where its bracket stood in the question ({@code start} inclusive, {@code end} exclusive,
     * in chars).
     */
    public record Click(double x, double y, double z, int start, int end) {
        public float[] xyz() {
            return new float[] {(float) x, (float) y, (float) z};
        }
    }

    public ClickQuestion {
        texts = List.copyOf(texts);
        clicks = List.copyOf(clicks);
        if (texts.size() != clicks.size() + 1) throw new IllegalArgumentException(clicks.size() + " clicks need " + (clicks.size() + 1) + " text pieces");
    }

    /** Splits {@code question} at its clicks; a question without one is a single text piece. */
    public static ClickQuestion parse(String question) {
        List<String> texts = new ArrayList<>();
        List<Click> clicks = new ArrayList<>();
        Matcher click = CLICK.matcher(question);
        Matcher attempt = STARTS_WITH_NUMBER.matcher(question);
        int from = 0;
        for (int at = question.indexOf('['); at >= 0; at = question.indexOf('[', at + 1)) {
            if (at < from) continue;
            click.region(at, question.length());
            if (click.lookingAt()) {
                double x = coordinate(question, click, 1), y = coordinate(question, click, 2), z = coordinate(question, click, 3);
                texts.add(question.substring(from, at));
                clicks.add(new Click(x, y, z, at, click.end()));
                from = click.end();
                continue;
            }
            attempt.region(at, question.length());
            if (!attempt.lookingAt()) continue;
            int close = bracketEnd(question, at);
            String inside = question.substring(at + 1, close < 0 ? question.length() : close);
            if (!inside.contains(",")) continue;
            throw new EngineArgumentException("question", "part \"" + quote(question, at, close) + "\" looks like a click [x, y, z] but "
                    + problem(inside, close < 0));
        }
        texts.add(question.substring(from));
        return new ClickQuestion(texts, clicks);
    }

    public boolean hasClicks() {
        return !clicks.isEmpty();
    }

    private static double coordinate(String question, Matcher m, int group) {
        double v = Double.parseDouble(m.group(group));
        if (!Double.isFinite(v)) {
            throw new EngineArgumentException("question", "click \"" + question.substring(m.start(), m.end()) + "\" has a coordinate, "
                    + m.group(group) + ", too large to be a point in a room");
        }
        return v;
    }

    /** Index of the {@code ]} closing the bracket opened at {@code open}, or -1 when another {@code [} or the end comes first. */
    private static int bracketEnd(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ']') return i;
            if (c == '[') return -1;
        }
        return -1;
    }

    private static String problem(String inside, boolean unclosed) {
        if (unclosed) return "has no closing ']'";
        String[] parts = inside.split(",", -1);
        if (parts.length != 3) return "has " + parts.length + " values; a click has three (x, y, z), e.g. [1.0, 2.0, 0.5]";
        for (String p : parts) {
            if (!p.strip().matches(NUMBER)) return "'" + abbreviate(p.strip()) + "' is not a number";
        }
        return "is not three numbers separated by commas";
    }

    private static String quote(String s, int open, int close) {
        return abbreviate(s.substring(open, close < 0 ? s.length() : close + 1));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
