package org.adatoken3d.llava3d.prompt;
import org.adatoken3d.llava3d.spatial.ClickEncoder;
import org.adatoken3d.llava3d.spatial.PositionEmbedding3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.EmbeddedRow;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClickPromptTest {
    @TempDir static Path tmp;
    static Path modelDir;

    @BeforeAll
    static void writeModel() throws Exception {
        modelDir = tmp.resolve("model");
        new SyntheticCheckpoint(SynthPreset.TINY, 2, DType.F32, 5).withVision(null).write(modelDir, b -> {});
    }

    private static SpatialTokens spatial(Model m, int count) {
        return new SpatialTokens(count, SeededCases.uniform(new SplittableRandom(count), count * m.config().hiddenSize(), 1f), null);
    }

    @Test
    void theClickRowHoldsTheClickEncodersOutputAndEveryOtherRowIsUnchanged() {
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            int hidden = m.config().hiddenSize();
            SpatialTokens s = spatial(m, 7);
            Prompt click = SpatialPrompt.build(m, "What is at [1.0, 2.0, 0.5]?", s);
            assertEquals(1, click.embeddedRows().size());
            int at = click.embeddedRows().getFirst().position();
            assertTrue(at >= click.spatial().end(), "the click token follows the spatial block, outside what gating may drop");

            float[] x = click.embed(m.decoder());
            float[] want = naiveClickMlp(m.checkpoint(), new double[] {1.0, 2.0, 0.5});
            for (int i = 0; i < hidden; i++) assertEquals(want[i], x[at * hidden + i], 1e-4 * (1 + Math.abs(want[i])), "click row " + i);
            for (int r = 0; r < click.ids().length; r++) {
                if (r == at) continue;
                float[] row = new float[hidden];
                if (r >= click.spatial().start() && r < click.spatial().end()) {
                    System.arraycopy(s.embeds(), (r - click.spatial().start()) * hidden, row, 0, hidden);
                } else {
                    m.decoder().weights().embedTokens().row(click.ids()[r], row, 0);
                }
                float[] got = new float[hidden];
                System.arraycopy(x, r * hidden, got, 0, hidden);
                assertArrayEquals(row, got, "row " + r);
            }
        }
    }

    @Test
    void theClickedPointReachesTheAnswersLogits() {
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            SpatialTokens s = spatial(m, 5);
            float[] a = lastLogits(m, SpatialPrompt.build(m, "What is at [1.0, 2.0, 0.5]?", s));
            float[] again = lastLogits(m, SpatialPrompt.build(m, "What is at [1, 2, .5]?", s));
            float[] elsewhere = lastLogits(m, SpatialPrompt.build(m, "What is at [4.0, 1.0, 0.5]?", s));
            assertArrayEquals(a, again, "the same point, written differently");
            double diff = 0;
            for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - elsewhere[i]));
            assertTrue(diff > 1e-4, "another point changes the logits, by " + diff);
        }
    }

    private static float[] lastLogits(Model m, Prompt p) {
        int n = p.ids().length;
        var cache = m.decoder().newCache(n, Long.MAX_VALUE);
        return m.decoder().prefill(p.embed(m.decoder()), n, cache, PrefillRequest.textOnly(), null).lastLogits(m.config().vocabSize());
    }

    @Test
    void aQuestionWithoutAClickNeverLoadsTheClickEncoder() {
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            Prompt p = SpatialPrompt.build(m.tokenizer(), "What is in [the] corner?", spatial(m, 3), () -> {
                throw new AssertionError("the click encoder was asked for");
            });
            assertEquals(List.of(), p.embeddedRows());
        }
    }

    @Test
    void aCheckpointWithoutAClickEncoderIsAnErrorOnlyWhenAClickIsUsed() throws Exception {
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        SafetensorsWriter.write(bare.resolve("model.safetensors"), Map.of("format", "pt"),
                List.of(TensorSource.ofFloats("model.norm.weight", DType.F32, new long[] {4}, new float[4])));
        DecoderConfig config = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(4).intermediateSize(4).numLayers(1).numHeads(1)
                .vocabSize(8).maxPositionEmbeddings(16).build().decoder();
        try (Checkpoint ckpt = Checkpoint.open(bare)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> ClickEncoder.load(ckpt, config));
            assertTrue(e.getMessage().startsWith(bare + ": has no click encoder (" + PositionEmbedding3d.CLICK_PREFIX), e.getMessage());
        }
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            DecoderConfig wider = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(m.config().hiddenSize() + 1).intermediateSize(4)
                    .numLayers(1).numHeads(1).vocabSize(8).maxPositionEmbeddings(16).build().decoder();
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> ClickEncoder.load(m.checkpoint(), wider));
            assertTrue(e.getMessage().contains("they must match"), e.getMessage());
        }
    }

    @Test
    void malformedClicksFailBeforeAnythingIsEncoded() {
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SpatialPrompt.build(m, "What is at [1.0, 2.0]?", spatial(m, 2)));
            assertTrue(e.getMessage().contains("looks like a click"), e.getMessage());
        }
    }

    @Test
    void embeddedRowsMayNotOverlapTheSpatialBlockOrEachOther() {
        try (Model m = Model.open(modelDir, DecoderWeights.Storage.AS_STORED)) {
            Prompt p = SpatialPrompt.build(m, "q", spatial(m, 3));
            float[] row = new float[m.config().hiddenSize()];
            int inside = p.spatial().start() + 1, after = p.spatial().end();
            assertThrows(IllegalArgumentException.class, () -> m.decoder().embed(p.ids(), p.spatial(), p.spatialEmbeds(), List.of(new EmbeddedRow(inside, row))));
            assertThrows(IllegalArgumentException.class, () -> m.decoder().embed(p.ids(), p.spatial(), p.spatialEmbeds(),
                    List.of(new EmbeddedRow(after, row), new EmbeddedRow(after, row))));
            assertThrows(IllegalArgumentException.class, () -> m.decoder().embed(p.ids(), p.spatial(), p.spatialEmbeds(),
                    List.of(new EmbeddedRow(after, new float[row.length + 1]))));
        }
    }

    /** Linear(3 → d), LayerNorm (biased variance, eps 1e-5), ReLU, Linear(d → d), in double from the stored tensors. */
    private static float[] naiveClickMlp(Checkpoint ckpt, double[] xyz) {
        String head = PositionEmbedding3d.CLICK_PREFIX + ".position_embedding_head.";
        float[] w0 = ckpt.tensor(head + "0.weight").toFloatArray(), b0 = ckpt.tensor(head + "0.bias").toFloatArray();
        float[] g = ckpt.tensor(head + "1.weight").toFloatArray(), beta = ckpt.tensor(head + "1.bias").toFloatArray();
        float[] w3 = ckpt.tensor(head + "3.weight").toFloatArray(), b3 = ckpt.tensor(head + "3.bias").toFloatArray();
        int d = b0.length;
        double[] h = new double[d];
        for (int i = 0; i < d; i++) h[i] = b0[i] + w0[i * 3] * xyz[0] + w0[i * 3 + 1] * xyz[1] + w0[i * 3 + 2] * xyz[2];
        double mean = 0, var = 0;
        for (double v : h) mean += v / d;
        for (double v : h) var += (v - mean) * (v - mean) / d;
        for (int i = 0; i < d; i++) h[i] = Math.max(0, (h[i] - mean) / Math.sqrt(var + 1e-5) * g[i] + beta[i]);
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            double s = b3[i];
            for (int j = 0; j < d; j++) s += w3[i * d + j] * h[j];
            out[i] = (float) s;
        }
        return out;
    }
}
