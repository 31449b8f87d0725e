package org.adatoken3d.evaluation.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** n-gram counts of a token list for n = 1..maxN, the {@code precook} step BLEU and CIDEr share. */
final class NGrams {
    private NGrams() {}

    static Map<List<String>, Integer> counts(List<String> words, int maxN) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int k = 1; k <= maxN; k++) {
            for (int i = 0; i + k <= words.size(); i++) counts.merge(List.copyOf(words.subList(i, i + k)), 1, Integer::sum);
        }
        return counts;
    }
}
