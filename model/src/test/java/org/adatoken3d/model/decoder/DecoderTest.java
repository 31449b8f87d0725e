package org.adatoken3d.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.adatoken3d.model.Model;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderTest {
    @TempDir Path tmp;

    /**
     * f32 activations against a double reference over at most a few hundred accumulations: errors stay near
     * 1e-6 relative; 2e-4 of the largest logit leaves room for the exp/rsqrt approximations of the kernels.
     */
    static final double TOLERANCE = 2e-4;

    @Test
    void prefillMatchesNaiveReferenceForRandomModels() {
        SeededCases.run("prefillMatchesNaiveReference", 40, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint c = RandomCheckpoint.write(dir, r);
            int[] ids = randomIds(r, SeededCases.between(r, 1, 40), c.config.vocabSize());
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                PrefillResult p = run(m, ids, null, new GatePolicy.NoPruning());
                assertClose(c.naive().forward(ids, 0, null), p.logits(), c.config.vocabSize());
            }
        });
    }

    @Test
    void prefillRunsTheMlpActivationTheConfigNames() {
        for (String act : new String[] {"gelu", "gelu_new", "gelu_pytorch_tanh"}) {
            SeededCases.run("prefillRunsTheMlpActivationTheConfigNames:" + act, 8, r -> {
                Path dir = Files.createTempDirectory(tmp, "m");
                RandomCheckpoint c = RandomCheckpoint.write(dir, r, act);
                int[] ids = randomIds(r, SeededCases.between(r, 1, 24), c.config.vocabSize());
                try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                    assertClose(c.naive().forward(ids, 0, null), run(m, ids, null, new GatePolicy.NoPruning()).logits(),
                            c.config.vocabSize());
                }
            });
        }
    }

    @Test
    void gatedPrefillDropsTokensFromEveryLaterLayer() {
        SeededCases.run("gatedPrefillDropsTokensFromEveryLaterLayer", 30, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint c = RandomCheckpoint.write(dir, r);
            int n = SeededCases.between(r, 3, 40);
            int[] ids = randomIds(r, n, c.config.vocabSize());
            int start = r.nextInt(n - 1);
            SpatialBlock block = new SpatialBlock(start, SeededCases.between(r, 1, n - start - 1));
            int gate = SeededCases.between(r, 1, c.config.numLayers());
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                PrefillResult p = run(m, ids, block, new GatePolicy.KeepRatio(gate, r.nextDouble()));
                int layers = c.config.numLayers();
                // With K = L no layer runs after the gate, so every row reaches the head.
                int[] rows = gate < layers ? Decoder.survivingRows(n, block.start(), block.count(), p.keepSet().kept())
                        : java.util.stream.IntStream.range(0, n).toArray();
                assertArrayEquals(rows, p.positions(), "kept tokens keep their original positions");
                for (int l = 0; l < layers; l++) {
                    assertEquals(l < gate ? n : rows.length, p.tokensPerLayer()[l], "rows seen by layer " + l);
                }
                assertClose(c.naive().forward(ids, gate, rows), p.logits(), c.config.vocabSize());
            }
        });
    }

    @Test
    void decodingAfterPrefillEqualsALongerPrefill() {
        SeededCases.run("decodingAfterPrefillEqualsALongerPrefill", 25, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint c = RandomCheckpoint.write(dir, r);
            int n = SeededCases.between(r, 1, 30);
            int[] ids = randomIds(r, n + 2, c.config.vocabSize());
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                Decoder d = m.decoder();
                KvCache cache = d.newCache(n + 2, 1L << 30);
                int[] prompt = java.util.Arrays.copyOf(ids, n);
                d.prefill(d.embed(prompt, null, null), n, cache, PrefillRequest.textOnly(), null);
                d.decode(ids[n], n, cache);
                float[] stepped = d.decode(ids[n + 1], n + 1, cache);
                double[][] expected = c.naive().forward(ids, 0, null);
                assertClose(new double[][] {expected[n + 1]}, stepped, c.config.vocabSize());
            }
        });
    }

    private static PrefillResult run(Model m, int[] ids, SpatialBlock block, GatePolicy gate) {
        Decoder d = m.decoder();
        KvCache cache = d.newCache(ids.length, 1L << 30);
        PrefillRequest request = new PrefillRequest(block, gate, QuerySet.LAST, false, PrefillRequest.Logits.ALL);
        return d.prefill(d.embed(ids, null, null), ids.length, cache, request, null);
    }

    static int[] randomIds(SplittableRandom r, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    static void assertClose(double[][] expected, float[] actual, int vocab) {
        assertEquals(expected.length * vocab, actual.length, "logit rows");
        double scale = 1e-3;
        for (double[] row : expected) for (double v : row) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < vocab; j++) {
                double err = Math.abs(expected[i][j] - actual[i * vocab + j]);
                assertTrue(err <= TOLERANCE * scale, "row " + i + " logit " + j + ": expected " + expected[i][j] + ", got "
                        + actual[i * vocab + j] + " (error " + err + ", bound " + TOLERANCE * scale + ")");
            }
        }
    }
}
