package org.adatoken3d.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.Decoder;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.PrefillResult;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.pruning.Contribution;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;

/** Runs the {@code forward} oracle interface of conformance/FORMAT.md: one inputs file in, one outputs file out. */
public final class ForwardRun {
    private ForwardRun() {}

    public static void run(Model model, Path input, Path output, long kvBudgetBytes) {
        ForwardRequest request;
        try (SafetensorsFile in = SafetensorsFile.open(input)) {
            request = ForwardRequest.read(in);
        }
        int hidden = model.config().hiddenSize();
        if (request.spatialEmbeds() != null && request.spatialEmbedWidth() != hidden) {
            throw new InvalidFileException(input, "spatial_embeds has width " + request.spatialEmbedWidth() + ", the model's hidden size is " + hidden);
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
        PrefillRequest prefillRequest = new PrefillRequest(request.spatial(), request.gate(), request.query(),
                request.spatial() != null && request.spatial().count() > 0, PrefillRequest.Logits.ALL);
        Generation g = new Generator(decoder, null, Generator.NO_EOS).generate(
                new Prompt(request.inputIds(), request.spatial(), request.spatialEmbeds()), prefillRequest,
                SamplingParams.greedy(), request.generate(), kvBudgetBytes, null, null);
        PrefillResult p = g.prefill();
        int rows = p.positions().length;

        List<TensorSource> out = new ArrayList<>();
        out.add(TensorSource.ofFloats("logits", DType.F32, new long[] {rows, vocab}, p.logits()));
        out.add(TensorSource.ofFloats("hidden_states", DType.F32, new long[] {rows, hidden}, p.hidden()));
        out.add(TensorSource.ofLongs("positions", new long[] {rows}, toLongs(p.positions())));
        if (request.spatial() != null && request.spatial().count() > 0) {
            int n = request.spatial().count();
            float[] contribution = new float[layers * n];
            float[] share = new float[layers];
            int[] kept = p.keepSet() == null ? null : p.keepSet().kept();
            for (int l = 0; l < layers; l++) {
                Contribution c = p.contributions().get(l);
                if (c == null) continue;
                double[] normalized = c.normalized();
                boolean pruned = kept != null && l >= request.gate().layer();
                for (int i = 0; i < normalized.length; i++) {
                    contribution[l * n + (pruned ? kept[i] : i)] = (float) normalized[i];
                }
                share[l] = (float) c.spatialShare();
            }
            out.add(TensorSource.ofFloats("contribution", DType.F32, new long[] {layers, n}, contribution));
            out.add(TensorSource.ofFloats("spatial_share", DType.F32, new long[] {layers}, share));
            if (kept != null) {
                long[] keptPositions = new long[kept.length];
                for (int i = 0; i < kept.length; i++) keptPositions[i] = request.spatial().start() + kept[i];
                out.add(TensorSource.ofLongs("kept", new long[] {kept.length}, keptPositions));
            }
        }
        if (request.generate() > 0) {
            out.add(TensorSource.ofLongs("greedy_ids", new long[] {g.generated().length}, toLongs(g.generated())));
        }
        return out;
    }

    private static long[] toLongs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
