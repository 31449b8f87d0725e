package org.adatoken3d.model.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

class ChunkedPrefillTest {
    @TempDir Path tmp;

    /**
     * Text prompts and gated prompts (every gate layer, both query sets, tiled and row-path attention through the
     * random head sizes), cut into chunks of any allowed size: the logits, the gate's keep-set, the surviving
     * positions, the rows per layer and the cache (through the logits of two decoded tokens after it) all have the
     * bits of the one-pass prefill.
     */
    @Test
    void chunkedPrefillGivesTheOnePassPrefillsBits() {
        SeededCases.run("chunkedPrefillGivesTheOnePassPrefillsBits", 40, r -> {
            Path dir = Files.createTempDirectory(tmp, "m");
            RandomCheckpoint c = RandomCheckpoint.write(dir, r);
            int vocab = c.config.vocabSize(), layers = c.config.numLayers();
            try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
                Decoder d = m.decoder();
                int n = SeededCases.between(r, 1, 150);
                int[] ids = DecoderTest.randomIds(r, n, vocab);
                PrefillRequest request = n >= 4 && r.nextInt(3) > 0 ? gated(r, n, layers) : PrefillRequest.textOnly();
                int chunk = SeededCases.between(r, ChunkedPrefill.MIN_CHUNK_ROWS, 48);
                KvCache whole = d.newCache(n + 2, 1L << 30), chunked = d.newCache(n + 2, 1L << 30);
                float[] x = d.embed(ids, null, null);
                PrefillResult expected = d.prefill(x, n, whole, request, null);
                int chunks = 0;
                try (ChunkedPrefill p = d.startPrefill(x, n, chunked, request, chunk)) {
                    while (!p.done()) {
                        boolean firstStage = p.rowsDone() < n;
                        int rows = p.advance();
                        int stage = firstStage ? n : p.rowsTotal() - n;
                        assertTrue(rows >= ChunkedPrefill.MIN_CHUNK_ROWS || rows == stage, "a chunk of " + rows + " rows in a stage of " + stage);
                        chunks++;
                    }
                    PrefillResult got = p.result();
                    String what = request.gate() + ", " + n + " tokens in chunks of " + chunk;
                    assertArrayEquals(expected.lastLogits(vocab), got.lastLogits(vocab), what);
                    assertEquals(expected.keepSet(), got.keepSet(), what);
                    assertArrayEquals(expected.positions(), got.positions(), what);
                    assertArrayEquals(expected.tokensPerLayer(), got.tokensPerLayer(), what);
                    assertArrayEquals(whole.lengths(), chunked.lengths(), what);
                    int position = n;
                    for (int step = 0; step < 2; step++, position++) {
                        int token = r.nextInt(vocab);
                        assertArrayEquals(d.decode(token, position, whole), d.decode(token, position, chunked), what + ", decoded token " + step);
                    }
                }
                if (n >= 2 * chunk + ChunkedPrefill.MIN_CHUNK_ROWS && !request.prunes()) {
                    assertTrue(chunks >= 2, "a text prompt of " + n + " tokens in chunks of " + chunk + " ran in " + chunks);
                }
            }
        });
    }

    /** A spatial block somewhere in the prompt, gated after a random layer by a share or by tau, measured from either query set. */
    private static PrefillRequest gated(SplittableRandom r, int n, int layers) {
        int start = SeededCases.between(r, 0, n - 3);
        int count = SeededCases.between(r, 1, n - 1 - start);
        QuerySet query = r.nextBoolean() ? QuerySet.LAST : QuerySet.INSTRUCTION;
        int layer = SeededCases.between(r, 1, layers);
        GatePolicy gate = r.nextBoolean() ? new GatePolicy.KeepRatio(layer, r.nextDouble(), query)
                : new GatePolicy.AdaptiveGate(layer, r.nextDouble() * 0.5, 1, GatePolicy.AdaptiveGate.UNBOUNDED, query);
        return PrefillRequest.gated(new SpatialBlock(start, count), gate);
    }

    @Test
    void runsInChunksOfTheGivenSizeAndKeepsTheQueryRowsTogether() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        RandomCheckpoint c = RandomCheckpoint.write(dir, new SplittableRandom(7));
        try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
            Decoder d = m.decoder();
            int n = 100, chunk = 16;
            float[] x = d.embed(DecoderTest.randomIds(new SplittableRandom(8), n, c.config.vocabSize()), null, null);
            // 100 = 16 x 5 + 20: the last chunk takes the 4 rows that would be too few for a chunk of their own.
            assertArrayEquals(new int[] {16, 16, 16, 16, 16, 20}, chunkSizes(d.startPrefill(x, n, d.newCache(n, 1L << 30), PrefillRequest.textOnly(), chunk)));
            // Instruction queries from row 40: the first stage's chunk that reaches them runs to the end. With layers
            // after the gate (K = 1), the second stage runs the 70 text rows and the 10 kept spatial rows (10 of 30).
            PrefillRequest request = PrefillRequest.gated(new SpatialBlock(10, 30), new GatePolicy.KeepRatio(1, 1.0 / 3, QuerySet.INSTRUCTION));
            int[] expected = c.config.numLayers() >= 2 ? new int[] {16, 16, 68, 16, 16, 16, 16, 16} : new int[] {16, 16, 68};
            assertArrayEquals(expected, chunkSizes(d.startPrefill(x, n, d.newCache(n, 1L << 30), request, chunk)));
        }
    }

    private static int[] chunkSizes(ChunkedPrefill p) {
        int[] sizes = new int[0];
        while (!p.done()) {
            sizes = java.util.Arrays.copyOf(sizes, sizes.length + 1);
            sizes[sizes.length - 1] = p.advance();
        }
        return sizes;
    }

    @Test
    void refusesChunksTooSmallAndResultsItDoesNotGive() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        RandomCheckpoint.write(dir, new SplittableRandom(3));
        try (Model m = Model.open(dir, DecoderWeights.Storage.AS_STORED)) {
            Decoder d = m.decoder();
            float[] x = d.embed(new int[] {1, 2, 3}, null, null);
            assertThrows(IllegalArgumentException.class, () -> d.startPrefill(x, 3, d.newCache(3, 1L << 30), PrefillRequest.textOnly(),
                    ChunkedPrefill.MIN_CHUNK_ROWS - 1));
            PrefillRequest all = new PrefillRequest(null, new GatePolicy.NoPruning(), QuerySet.LAST, false, PrefillRequest.Logits.ALL);
            assertThrows(IllegalArgumentException.class, () -> d.startPrefill(x, 3, d.newCache(3, 1L << 30), all, 16));
            ChunkedPrefill p = d.startPrefill(x, 3, d.newCache(3, 1L << 30), PrefillRequest.textOnly(), 16);
            assertThrows(IllegalStateException.class, p::result);
            assertEquals(3, p.advance());
            assertThrows(IllegalStateException.class, p::advance);
        }
    }
}
