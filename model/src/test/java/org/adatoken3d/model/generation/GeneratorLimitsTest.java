package org.adatoken3d.model.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.NumericalFailure;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.decoder.RandomCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What generation does at the edges: the model's context, sizes no cache could hold, and weights that are not numbers. */
class GeneratorLimitsTest {
    private static final int CONTEXT = 16;
    private static final long BUDGET = 1L << 30;

    @TempDir Path tmp;

    private Model model(boolean poisoned) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "m");
        RandomCheckpoint.write(dir, new SplittableRandom(7), CONTEXT, poisoned);
        return Model.open(dir, DecoderWeights.Storage.AS_STORED);
    }

    private static Generation generate(Model m, int promptTokens, int maxTokens) {
        int[] ids = new int[promptTokens];
        for (int i = 0; i < ids.length; i++) ids[i] = i % m.config().vocabSize();
        return new Generator(m.decoder(), null, Generator.NO_EOS)
                .generate(Prompt.text(ids), PrefillRequest.textOnly(), SamplingParams.greedy(), maxTokens, BUDGET, null, null);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedNamingBothLengths() throws Exception {
        try (Model m = model(false)) {
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> generate(m, CONTEXT + 1, 1));
            assertEquals("prompt", e.parameter());
            assertTrue(e.problem().contains("17 tokens") && e.problem().contains("context of 16"), e.getMessage());
        }
    }

    @Test
    void generationStopsAtTheContextWithStopReasonLength() throws Exception {
        try (Model m = model(false)) {
            Generation g = generate(m, 10, 100);
            assertEquals(Generation.StopReason.LENGTH, g.stop());
            assertEquals(CONTEXT - 10, g.generated().length, "tokens generated: every position below the context is used");
            assertTrue(g.cache().capacity() <= CONTEXT, "cache of " + g.cache().capacity() + " rows for a context of " + CONTEXT);
        }
    }

    @Test
    void aPromptThatFillsTheContextLeavesNoRoomAndSaysSo() throws Exception {
        try (Model m = model(false)) {
            Generation g = generate(m, CONTEXT, 5);
            assertEquals(Generation.StopReason.LENGTH, g.stop());
            assertEquals(0, g.generated().length);
        }
    }

    @Test
    void generationWithinTheContextStillEndsAtMaxTokens() throws Exception {
        try (Model m = model(false)) {
            Generation g = generate(m, 10, 6);
            assertEquals(Generation.StopReason.MAX_TOKENS, g.stop());
            assertEquals(6, g.generated().length);
        }
    }

    @Test
    void aMaxTokensNoCacheCouldHoldIsBoundedByTheContext() throws Exception {
        try (Model m = model(false)) {
            for (int maxTokens : new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE - 3, 5_000_000}) {
                Generation g = generate(m, 3, maxTokens);
                assertEquals(Generation.StopReason.LENGTH, g.stop(), "maxTokens " + maxTokens);
                assertEquals(CONTEXT - 3, g.generated().length, "maxTokens " + maxTokens);
                assertEquals(CONTEXT, g.cache().capacity(), "maxTokens " + maxTokens);
            }
        }
    }

    @Test
    void decodingPastTheContextIsRefused() throws Exception {
        try (Model m = model(false)) {
            var cache = m.decoder().newCache(CONTEXT + 2, BUDGET);
            m.decoder().prefill(m.decoder().embed(new int[] {1}, null, null), 1, cache, PrefillRequest.textOnly(), null);
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> m.decoder().decode(1, CONTEXT, cache));
            assertEquals("position", e.parameter());
        }
    }

    @Test
    void nonFiniteWeightsStopGenerationWithANumericalFailure() throws Exception {
        try (Model m = model(true)) {
            NumericalFailure e = assertThrows(NumericalFailure.class, () -> generate(m, 4, 3));
            assertTrue(e.getMessage().contains("not finite"), e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
        }
    }

    @Test
    void samplingRefusesTemperaturesAndPenaltiesThatAreNotFiniteNumbers() {
        for (double t : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1}) {
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> new SamplingParams(t, 0, 1, 1, 0, List.of()));
            assertEquals("temperature", e.parameter(), "temperature " + t);
        }
        for (double p : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0, 1.5}) {
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> new SamplingParams(0.7, 0, p, 1, 0, List.of()));
            assertEquals("topP", e.parameter(), "topP " + p);
        }
        for (double r : new double[] {Double.NaN, Double.POSITIVE_INFINITY, 0}) {
            EngineArgumentException e = assertThrows(EngineArgumentException.class, () -> new SamplingParams(0.7, 0, 1, r, 0, List.of()));
            assertEquals("repetitionPenalty", e.parameter(), "repetitionPenalty " + r);
        }
    }
}
