package org.adatoken3d.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.NumericalFailure;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.Sampler;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;

/** Runs the {@code forward} oracle interface of conformance/FORMAT.md: one inputs file in, one outputs file out. */
public final class ForwardRun {
    private ForwardRun() {}

    public static void run(Model model, Path input, Path output, long kvBudgetBytes) {
        ForwardRequest request;
        try (SafetensorsFile in = SafetensorsFile.open(input)) {
            request = ForwardRequest.read(in, model.config());
        }
        List<TensorSource> outputs = outputs(model, request, kvBudgetBytes);
        try {
            SafetensorsWriter.write(output, Map.of("format", "pt", "producer", "adatoken3d"), outputs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<TensorSource> outputs(Model model, ForwardRequest request, long kvBudgetBytes) {
        Decoder decoder = model.decoder();
        int hidden = model.config().hiddenSize();
        int vocab = model.config().vocabSize();
        int layers = model.config().numLayers();
        int n = request.inputIds().length;
        boolean spatial = request.spatial() != null;
        PrefillRequest prefillRequest = new PrefillRequest(request.spatial(), request.gate(), request.query(), spatial, PrefillRequest.Logits.ALL);
        KvCache cache = decoder.newCache(n + request.generate(), kvBudgetBytes);
        Prompt prompt = new Prompt(request.inputIds(), request.spatial(), request.spatialEmbeds());
        PrefillResult p = decoder.prefill(prompt.embed(decoder), n, cache, prefillRequest, null);
        int rows = p.positions().length;

        List<TensorSource> out = new ArrayList<>();
        out.add(TensorSource.ofFloats("logits", DType.F32, new long[] {rows, vocab}, p.logits()));
        out.add(TensorSource.ofFloats("hidden_states", DType.F32, new long[] {rows, hidden}, p.hidden()));
        out.add(TensorSource.ofLongs("positions", new long[] {rows}, toLongs(p.positions())));
        if (spatial) {
            int count = request.spatial().count();
            float[] contribution = new float[layers * count];
            float[] share = new float[layers];
            int[] kept = p.keepSet() == null ? null : p.keepSet().kept();
            for (int l = 0; l < layers; l++) {
                Contribution c = p.contributions().get(l);
                if (c == null) continue;
                double[] normalized = c.normalized();
                boolean pruned = kept != null && l >= request.gate().layer();
                for (int i = 0; i < normalized.length; i++) {
                    contribution[l * count + (pruned ? kept[i] : i)] = (float) normalized[i];
                }
                share[l] = (float) c.spatialShare();
            }
            out.add(TensorSource.ofFloats("contribution", DType.F32, new long[] {layers, count}, contribution));
            out.add(TensorSource.ofFloats("spatial_share", DType.F32, new long[] {layers}, share));
            if (kept != null) {
                long[] keptPositions = new long[kept.length];
                for (int i = 0; i < kept.length; i++) keptPositions[i] = request.spatial().start() + kept[i];
                out.add(TensorSource.ofLongs("kept", new long[] {kept.length}, keptPositions));
                double margin = GateMargin.of(request.gate(), p.contributions().get(request.gate().layer() - 1).normalized());
                out.add(TensorSource.ofFloats("gate_margin", DType.F32, new long[] {1}, new float[] {(float) margin}));
            }
        }
        if (request.generate() > 0) greedy(decoder, cache, p.lastLogits(vocab), n, request.generate(), out);
        return out;
    }

    /**
     * §6.3: exactly {@code steps} argmax tokens (no EOS), the first from the prefill's last row, each next one fed at
     * the following position; with each step's top-1 minus top-2 logit.
     */
    private static void greedy(Decoder decoder, KvCache cache, float[] logits, int n, int steps, List<TensorSource> out) {
        long[] ids = new long[steps];
        float[] margins = new float[steps];
        for (int t = 0; t < steps; t++) {
            NumericalFailure.checkFinite(logits, "the logits at position " + (n - 1 + t));
            int token = Sampler.argmax(logits);
            ids[t] = token;
            margins[t] = topTwoGap(logits, token);
            if (t + 1 < steps) logits = decoder.decode(token, n + t, cache);
        }
        out.add(TensorSource.ofLongs("greedy_ids", new long[] {steps}, ids));
        out.add(TensorSource.ofFloats("greedy_margin", DType.F32, new long[] {steps}, margins));
    }

    /** Largest minus second-largest logit; +∞ with a vocabulary of one. */
    private static float topTwoGap(float[] logits, int best) {
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) if (i != best && logits[i] > second) second = logits[i];
        return logits.length == 1 ? Float.POSITIVE_INFINITY : logits[best] - second;
    }

    private static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
