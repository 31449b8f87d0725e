package org.adatoken3d.conformance;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The worst logits and hidden-state errors seen, per weight dtype: the figures the conformance claim rests on. */
public final class WorstErrors {
    private WorstErrors() {}

    public static void print(PrintStream out, List<CaseResult> results, List<Fixture> fixtures) {
        Map<String, double[]> worst = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < results.size(); i++) {
            String dtype = fixtures.get(i).weightDtype();
            double[] w = worst.computeIfAbsent(dtype, k -> new double[4]);
            counts.merge(dtype, 1, Integer::sum);
            for (CaseResult.TensorError e : results.get(i).errors()) {
                int slot = switch (e.tensor()) {
                    case "logits" -> 0;
                    case "hidden_states" -> 1;
                    case "contribution" -> 2;
                    default -> 3;
                };
                w[slot] = Math.max(w[slot], e.maxAbs());
            }
        }
        out.println("worst max-abs errors per weight dtype (cases: logits, hidden_states, contribution, spatial_share):");
        worst.forEach((dtype, w) -> out.printf("  %-5s %3d cases: %.2e %.2e %.2e %.2e%n", dtype, counts.get(dtype), w[0], w[1], w[2], w[3]));
    }
}
