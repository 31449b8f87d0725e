package org.adatoken3d.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.model.Model;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
import org.adatoken3d.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeBatchTest {
    @TempDir Path tmp;

    /**
     * Up to {@code Gemm.MAX_GEMV_ROWS} rows the multi-row GEMV sums every row as the one-row GEMV does, so a batch and
     * its single rows agree to the bit. Above that, they differ only in the GEMM's order of summation (the packed GEMM
     * against one GEMV per row): each dot product of K ≤ 64 terms may move by about K · 2⁻²⁴ of the sum of its terms'
     * magnitudes, a few 1e-6 relative, compounded over at most 3 layers and the head. 1e-5 of the largest logit is above
     * that and far below what a wrong row, position or cache does to the logits.
     */
    static final double TOLERANCE = 1e-5;

    @Test
    void batchedDecodingEqualsSeparateDecodingOfEachSequence() {
        SeededCases.run("batchedDecodingEqualsSeparateDecodingOfEachSequence", 30, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint c = RandomCheckpoint.write(dir, r);
            int vocab = c.config.vocabSize();
            int b = SeededCases.between(r, 1, Gemm.MAX_GEMV_ROWS + 3);
            int steps = SeededCases.between(r, 1, 4);
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                Decoder d = m.decoder();
                KvCache[] batched = new KvCache[b];
                KvCache[] single = new KvCache[b];
                int[] positions = new int[b];
                int[] tokens = new int[b];
                for (int i = 0; i < b; i++) {
                    // Each sequence has its own length and, for some, a pruned cache whose layers differ in length.
                    int n = SeededCases.between(r, 3, 30);
                    int[] ids = DecoderTest.randomIds(r, n, vocab);
                    PrefillRequest request = PrefillRequest.textOnly();
                    if (r.nextBoolean()) {
                        SpatialBlock block = new SpatialBlock(1, SeededCases.between(r, 1, n - 2));
                        request = new PrefillRequest(block, new GatePolicy.KeepRatio(SeededCases.between(r, 1, c.config.numLayers()), r.nextDouble()),
                                QuerySet.LAST, false, PrefillRequest.Logits.LAST);
                    }
                    batched[i] = d.newCache(n + steps, 1L << 30);
                    single[i] = d.newCache(n + steps, 1L << 30);
                    d.prefill(d.embed(ids, null, null), n, batched[i], request, null);
                    d.prefill(d.embed(ids, null, null), n, single[i], request, null);
                    positions[i] = n;
                    tokens[i] = r.nextInt(vocab);
                }
                for (int step = 0; step < steps; step++) {
                    float[][] together = d.decodeBatch(tokens, positions, batched);
                    for (int i = 0; i < b; i++) {
                        float[] alone = d.decode(tokens[i], positions[i], single[i]);
                        if (b <= Gemm.MAX_GEMV_ROWS) assertArrayEquals(alone, together[i], "step " + step + ", sequence " + i + " of " + b);
                        else assertClose(alone, together[i], "step " + step + ", sequence " + i + " of " + b);
                        assertArrayEquals(single[i].lengths(), batched[i].lengths(), "cache lengths of sequence " + i);
                        positions[i]++;
                        tokens[i] = r.nextInt(vocab);
                    }
                }
            }
        });
    }

    @Test
    void sequencesOfABatchDoNotSeeEachOthersCaches() {
        SeededCases.run("sequencesOfABatchDoNotSeeEachOthersCaches", 10, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint.write(dir, r);
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                Decoder d = m.decoder();
                int vocab = m.config().vocabSize();
                int[] a = DecoderTest.randomIds(r, 12, vocab), other = DecoderTest.randomIds(r, 12, vocab);
                KvCache alone = d.newCache(13, 1L << 30), first = d.newCache(13, 1L << 30), second = d.newCache(13, 1L << 30);
                d.prefill(d.embed(a, null, null), 12, alone, PrefillRequest.textOnly(), null);
                d.prefill(d.embed(a, null, null), 12, first, PrefillRequest.textOnly(), null);
                d.prefill(d.embed(other, null, null), 12, second, PrefillRequest.textOnly(), null);
                int token = r.nextInt(vocab);
                float[] expected = d.decode(token, 12, alone);
                float[][] got = d.decodeBatch(new int[] {token, token, token}, new int[] {12, 12, 12},
                        new KvCache[] {first, second, d.newCache(1, 1L << 30)});
                assertClose(expected, got[0], "the first sequence, beside two others");
            }
        });
    }

    @Test
    void refusesOneCacheForTwoSequences() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        RandomCheckpoint.write(dir, new java.util.SplittableRandom(1));
        try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
            KvCache cache = m.decoder().newCache(4, 1L << 30);
            assertThrows(IllegalArgumentException.class, () -> m.decoder().decodeBatch(new int[] {1, 2}, new int[] {0, 0}, new KvCache[] {cache, cache}));
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        double scale = 1e-3;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int j = 0; j < expected.length; j++) {
            double err = Math.abs(expected[j] - actual[j]);
            assertTrue(err <= TOLERANCE * scale, what + ": logit " + j + " expected " + expected[j] + ", got " + actual[j]
                    + " (error " + err + ", bound " + TOLERANCE * scale + "; " + Arrays.toString(Arrays.copyOf(actual, 4)) + "...)");
        }
    }
}
