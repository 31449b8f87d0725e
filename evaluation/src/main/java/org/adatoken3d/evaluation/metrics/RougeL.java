package org.adatoken3d.evaluation.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * ROUGE-L as pycocoevalcap's {@code Rouge} computes it ({@code rouge/rouge.py}): per candidate, the longest common
 * subsequence with each reference, the best precision and the best recall taken separately over the references,
 * combined as an F-measure with beta = 1.2; the corpus score is the mean over candidates. Texts are split on
 * single spaces as there ({@code str.split(" ")}), so an empty text is one empty token.
 */
public final class RougeL {
    static final double BETA = 1.2;

    private RougeL() {}

    public static double sentence(String candidate, List<String> references) {
        if (references.isEmpty()) throw new IllegalArgumentException("a candidate needs a reference");
        List<String> c = splitOnSpace(candidate);
        double precision = 0, recall = 0;
        for (String reference : references) {
            List<String> r = splitOnSpace(reference);
            int lcs = lcs(r, c);
            precision = Math.max(precision, lcs / (double) c.size());
            recall = Math.max(recall, lcs / (double) r.size());
        }
        if (precision == 0 || recall == 0) return 0.0;
        return ((1 + BETA * BETA) * precision * recall) / (recall + BETA * BETA * precision);
    }

    public static double corpus(List<String> candidates, List<List<String>> references) {
        if (candidates.size() != references.size()) throw new IllegalArgumentException("one reference list per candidate");
        double sum = 0;
        for (int i = 0; i < candidates.size(); i++) sum += sentence(candidates.get(i), references.get(i));
        return sum / candidates.size();
    }

    static int lcs(List<String> a, List<String> b) {
        int[] prev = new int[b.size() + 1], cur = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) cur[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            int[] t = prev;
            prev = cur;
            cur = t;
            Arrays.fill(cur, 0);
        }
        return prev[b.size()];
    }

    /** Python's {@code s.split(" ")}. */
    static List<String> splitOnSpace(String s) {
        return Arrays.asList(s.split(" ", -1));
    }
}
