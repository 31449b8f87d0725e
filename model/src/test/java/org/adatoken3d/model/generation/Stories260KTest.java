package org.adatoken3d.model.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.junit.jupiter.api.Test;

/**
 * The real trained stories260K model (../shared/data): greedy decoding from BOS must print the text llama2.c's
 * own test expects (test resource stories260K-greedy.txt, with its provenance beside it).
 */
class Stories260KTest {
    static Path model() {
        Path p = Path.of(System.getProperty("adatoken3d.shared", "../../shared"), "data", "stories260K");
        assertTrue(Files.isDirectory(p), "the stories260K model is expected at " + p.toAbsolutePath());
        return p;
    }

    @Test
    void greedyStoryFromBosMatchesLlama2c() throws Exception {
        String expected;
        try (var in = Stories260KTest.class.getResourceAsStream("/stories260K-greedy.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Model m = Model.open(model(), DecoderWeights.Storage.AS_STORED)) {
            Generation g = new Generator(m.decoder(), m.tokenizer()).generate(Prompt.text(new int[] {1}), PrefillRequest.textOnly(),
                    SamplingParams.greedy(), 200, 1L << 28, null, null);
            assertEquals(expected, g.text().substring(0, Math.min(g.text().length(), expected.length())));
            assertEquals(200, g.generated().length);
        }
    }

    @Test
    void q8WeightsTellTheSameStoryStart() {
        try (Model m = Model.open(model(), DecoderWeights.Storage.Q8_0)) {
            Generation g = new Generator(m.decoder(), m.tokenizer()).generate(Prompt.text(new int[] {1}), PrefillRequest.textOnly(),
                    SamplingParams.greedy(), 20, 1L << 28, null, null);
            assertTrue(g.text().startsWith("Once upon a time"), g.text());
        }
    }
}
