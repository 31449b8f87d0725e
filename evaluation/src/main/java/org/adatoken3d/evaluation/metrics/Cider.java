package org.adatoken3d.evaluation.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as pycocoevalcap's {@code Cider} computes it ({@code cider/cider_scorer.py}): tf-idf vectors of 1..4-grams
 * with document frequencies counted over the reference sets of the corpus being scored (so a subset, such as one
 * question type, has its own idf), log of the corpus size as the idf numerator, clipped candidate weights, a
 * Gaussian length penalty with sigma 6, the mean over n, the mean over references, times 10; the corpus score is
 * the mean over candidates.
 *
 * <p>One quirk is kept: the "length" pycocoevalcap compares in the penalty counts the sentence's bigrams, not its
 * words ({@code if n == 1: length += term_freq}, where n is the 0-based n-gram order). The difference of two such
 * lengths equals the difference of word counts unless one text is empty.
 */
public final class Cider {
    static final int N = 4;
    static final double SIGMA = 6.0;

    private Cider() {}

    private record Vector(List<Map<List<String>, Double>> weights, double[] norm, int length) {}

    public static double corpus(List<String> candidates, List<List<String>> references) {
        double[] scores = sentences(candidates, references);
        double sum = 0;
        for (double s : scores) sum += s;
        return sum / scores.length;
    }

    public static double[] sentences(List<String> candidates, List<List<String>> references) {
        if (candidates.size() != references.size()) throw new IllegalArgumentException("one reference list per candidate");
        List<List<Map<List<String>, Integer>>> refCounts = new ArrayList<>();
        Map<List<String>, Double> documentFrequency = new HashMap<>();
        for (List<String> refs : references) {
            if (refs.isEmpty()) throw new IllegalArgumentException("a candidate needs a reference");
            List<Map<List<String>, Integer>> counted = new ArrayList<>();
            Set<List<String>> inThisSet = new HashSet<>();
            for (String ref : refs) {
                Map<List<String>, Integer> c = NGrams.counts(PythonText.split(ref), N);
                counted.add(c);
                inThisSet.addAll(c.keySet());
            }
            for (List<String> g : inThisSet) documentFrequency.merge(g, 1.0, Double::sum);
            refCounts.add(counted);
        }
        double refLength = Math.log(references.size());
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            Vector hyp = vector(NGrams.counts(PythonText.split(candidates.get(i)), N), documentFrequency, refLength);
            double[] score = new double[N];
            for (Map<List<String>, Integer> ref : refCounts.get(i)) {
                double[] sim = similarity(hyp, vector(ref, documentFrequency, refLength));
                for (int n = 0; n < N; n++) score[n] += sim[n];
            }
            double mean = 0;
            for (int n = 0; n < N; n++) mean += score[n];
            mean /= N;
            scores[i] = mean / refCounts.get(i).size() * 10.0;
        }
        return scores;
    }

    private static Vector vector(Map<List<String>, Integer> counts, Map<List<String>, Double> df, double refLength) {
        List<Map<List<String>, Double>> weights = new ArrayList<>();
        for (int n = 0; n < N; n++) weights.add(new HashMap<>());
        double[] norm = new double[N];
        int length = 0;
        for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
            int n = e.getKey().size() - 1;
            double w = e.getValue() * (refLength - Math.log(Math.max(1.0, df.getOrDefault(e.getKey(), 0.0))));
            weights.get(n).put(e.getKey(), w);
            norm[n] += w * w;
            if (n == 1) length += e.getValue();
        }
        for (int n = 0; n < N; n++) norm[n] = Math.sqrt(norm[n]);
        return new Vector(weights, norm, length);
    }

    private static double[] similarity(Vector hyp, Vector ref) {
        double delta = hyp.length - ref.length;
        double[] val = new double[N];
        for (int n = 0; n < N; n++) {
            for (Map.Entry<List<String>, Double> e : hyp.weights.get(n).entrySet()) {
                double r = ref.weights.get(n).getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), r) * r;
            }
            if (hyp.norm[n] != 0 && ref.norm[n] != 0) val[n] /= hyp.norm[n] * ref.norm[n];
            val[n] *= Math.exp(-(delta * delta) / (2 * SIGMA * SIGMA));
        }
        return val;
    }
}
