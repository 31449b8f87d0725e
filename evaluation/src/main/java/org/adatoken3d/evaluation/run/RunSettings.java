package org.adatoken3d.evaluation.run;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.adatoken3d.kernels.EngineArgumentException;

/**
 * What a benchmark run answers with: the same on every machine of a distributed run.
 *
 * @param policies gate policies as written on a command line ({@code none}, {@code tau=0.5,query=instruction},
 *     {@code auto}, ...); one run answers every question under each
 * @param maxTokens most answer tokens (greedy, stopping at EOS)
 * @param modelId what predictions name as their {@code model_id}
 */
public record RunSettings(List<String> policies, int maxTokens, String modelId) implements Serializable {
    public RunSettings {
        policies = List.copyOf(policies);
        if (policies.isEmpty()) throw new EngineArgumentException("policies", "must name at least one policy");
        Set<String> slugs = new HashSet<>();
        for (String p : policies) {
            if (p.isBlank()) throw new EngineArgumentException("policies", "holds an empty policy");
            if (!slugs.add(RunLayout.slug(p))) throw new EngineArgumentException("policies", "names " + p + " twice (or two policies that differ only in punctuation)");
        }
        if (maxTokens < 1) throw new EngineArgumentException("maxTokens", "must be >= 1, got " + maxTokens);
        if (modelId == null || modelId.isBlank()) throw new EngineArgumentException("modelId", "must not be empty");
    }

    /** {@code a;b;c} as a command line writes a sweep. */
    public static List<String> parsePolicies(String list) {
        return java.util.Arrays.stream(list.split(";")).map(String::strip).toList();
    }
}
