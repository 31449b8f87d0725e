package org.adatoken3d.evaluation.calibration;

import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.pruning.QuerySet;

/**
 * The decoder runs that pruning needs: unpruned prefills that record the contribution at every layer (attention
 * pattern mining), and greedy runs under a gate policy for agreement with the unpruned answers.
 */
public final class SpatialRuns {
    private final Model model;
    private final long kvBudgetBytes;

    public SpatialRuns(Model model, long kvBudgetBytes) {
        this.model = model;
        this.kvBudgetBytes = kvBudgetBytes;
    }

    /** An unpruned prefill recording S^l and c^l for every layer. */
    public PrefillResult measure(Prompt prompt, QuerySet query) {
        PrefillRequest request = new PrefillRequest(prompt.spatial(), new GatePolicy.NoPruning(), query, true, PrefillRequest.Logits.LAST);
        var decoder = model.decoder();
        var cache = decoder.newCache(prompt.ids().length, kvBudgetBytes);
        return decoder.prefill(prompt.embed(decoder), prompt.ids().length, cache, request, null);
    }

    /** The calibration sample of one input. */
    public CalibrationSample sample(Prompt prompt, QuerySet query) {
        return toSample(prompt.ids().length, measure(prompt, query));
    }

    public static CalibrationSample toSample(int promptTokens, PrefillResult result) {
        List<LayerStats> layers = new ArrayList<>();
        for (int l = 0; l < result.contributions().size(); l++) {
            Contribution c = result.contributions().get(l);
            layers.add(LayerStats.of(l, c));
        }
        return new CalibrationSample(promptTokens, layers);
    }

    /** Greedy token ids under {@code gate}. */
    public int[] greedy(Prompt prompt, GatePolicy gate, int tokens) {
        PrefillRequest request = new PrefillRequest(prompt.spatial(), gate, gate.query(), false, PrefillRequest.Logits.LAST);
        Generation g = new Generator(model.decoder(), null, Generator.NO_EOS)
                .generate(prompt, request, SamplingParams.greedy(), tokens, kvBudgetBytes, null, null);
        return g.generated();
    }

    /** Fraction of greedy tokens equal to the reference, position by position, up to the first divergence. */
    public static double agreement(int[] reference, int[] candidate) {
        int same = 0;
        while (same < reference.length && same < candidate.length && reference[same] == candidate[same]) same++;
        return reference.length == 0 ? 1 : (double) same / reference.length;
    }
}
