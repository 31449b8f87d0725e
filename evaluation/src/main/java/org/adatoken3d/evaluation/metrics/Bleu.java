package org.adatoken3d.evaluation.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus BLEU-1..4 as pycocoevalcap's {@code Bleu(4)} computes it ({@code bleu/bleu_scorer.py}, option
 * "closest"): clipped n-gram matches and candidate n-gram counts summed over the corpus, each sentence's
 * reference length the one closest to its candidate's (the shorter on a tie), the brevity penalty on the
 * corpus lengths, and pycocoevalcap's guards: every precision is (matches + 1e-15) / (count + 1e-9), so a
 * corpus without a single 4-gram match scores a small positive BLEU-4 rather than 0.
 */
public final class Bleu {
    static final int N = 4;
    private static final double TINY = 1e-15;
    private static final double SMALL = 1e-9;

    private Bleu() {}

    /** BLEU-1..4 of {@code candidates.get(i)} against {@code references.get(i)}; every text is space-tokenised. */
    public static double[] corpus(List<String> candidates, List<List<String>> references) {
        if (candidates.size() != references.size()) throw new IllegalArgumentException("one reference list per candidate");
        double testTotal = 0, refTotal = 0;
        double[] guess = new double[N], correct = new double[N];
        for (int s = 0; s < candidates.size(); s++) {
            List<String> test = PythonText.split(candidates.get(s));
            if (references.get(s).isEmpty()) throw new IllegalArgumentException("candidate " + s + " has no reference");
            Map<List<String>, Integer> maxRef = new HashMap<>();
            int bestLength = -1;
            for (String ref : references.get(s)) {
                List<String> words = PythonText.split(ref);
                for (Map.Entry<List<String>, Integer> e : NGrams.counts(words, N).entrySet()) maxRef.merge(e.getKey(), e.getValue(), Math::max);
                int l = words.size();
                if (bestLength < 0 || Math.abs(l - test.size()) < Math.abs(bestLength - test.size())
                        || (Math.abs(l - test.size()) == Math.abs(bestLength - test.size()) && l < bestLength)) bestLength = l;
            }
            testTotal += test.size();
            refTotal += bestLength;
            for (int k = 0; k < N; k++) guess[k] += Math.max(0, test.size() - k);
            for (Map.Entry<List<String>, Integer> e : NGrams.counts(test, N).entrySet()) {
                correct[e.getKey().size() - 1] += Math.min(maxRef.getOrDefault(e.getKey(), 0), e.getValue());
            }
        }
        double[] bleus = new double[N];
        double bleu = 1.0;
        for (int k = 0; k < N; k++) {
            bleu *= (correct[k] + TINY) / (guess[k] + SMALL);
            bleus[k] = Math.pow(bleu, 1.0 / (k + 1));
        }
        double ratio = (testTotal + TINY) / (refTotal + SMALL);
        if (ratio < 1) for (int k = 0; k < N; k++) bleus[k] *= Math.exp(1 - 1 / ratio);
        return bleus;
    }
}
