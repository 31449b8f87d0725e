package org.adatoken3d.evaluation.qa;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedSet;

/**
 * Exact-match accuracy per question type over one run, with the mean share of spatial tokens kept, of object
 * tokens kept and of prefill FLOPs spent.
 *
 * @param correct per type, the questions answered right
 * @param total   per type, the questions asked
 */
public record QaScore(Map<String, Integer> correct, Map<String, Integer> total, double keptShare, double objectsKept,
        double flopsShare) {

    public QaScore {
        correct = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(correct));
        total = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(total));
    }

    public double accuracy(String type) {
        Integer n = total.get(type);
        return n == null || n == 0 ? Double.NaN : (double) correct.get(type) / n;
    }

    public int questions() {
        return total.values().stream().mapToInt(Integer::intValue).sum();
    }

    public double overall() {
        return (double) correct.values().stream().mapToInt(Integer::intValue).sum() / questions();
    }

    /** Accuracy over the questions of the given types together (NaN when there are none). */
    public double accuracy(Iterable<String> types) {
        int right = 0, asked = 0;
        for (String t : types) {
            right += correct.getOrDefault(t, 0);
            asked += total.getOrDefault(t, 0);
        }
        return asked == 0 ? Double.NaN : (double) right / asked;
    }

    static final class Builder {
        private final Map<String, Integer> correct = new LinkedHashMap<>();
        private final Map<String, Integer> total = new LinkedHashMap<>();
        private double kept, objects, flops;
        private int count;

        Builder(SequencedSet<String> types) {
            for (String t : types) {
                correct.put(t, 0);
                total.put(t, 0);
            }
        }

        void add(String type, boolean right, double keptShare, double objectsKept, double flopsShare) {
            correct.merge(type, right ? 1 : 0, Integer::sum);
            total.merge(type, 1, Integer::sum);
            kept += keptShare;
            objects += objectsKept;
            flops += flopsShare;
            count++;
        }

        QaScore build() {
            return new QaScore(correct, total, kept / count, objects / count, flops / count);
        }
    }
}
