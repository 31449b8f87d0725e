package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.SafetensorsWriter;
import org.adatoken3d.weights.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The requests FORMAT.md §5.1 calls errors: each is refused with one line naming the file, and no output is written. */
class ForwardRequestTest {
    @TempDir Path tmp;

    private record Bad(String problem, long[] ids, Map<String, String> meta) {}

    private static long[] ids(int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = i % 7;
        return ids;
    }

    private static Map<String, String> meta(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void requestsSection51CallsErrorsAreRefused() throws Exception {
        // The corpus model of the full case: 4096 positions (max_position_embeddings), at least 2 layers.
        Path model = OracleContractTest.FULL_CASE.resolve("model");
        List<Bad> bad = List.of(
                new Bad("unknown request keys [prune_layr]", ids(4), meta("prune_layr", "2")),
                new Bad("generate=5000 exceeds 4096", ids(4), meta("generate", "5000")),
                new Bad("max_keep=1 is below min_keep=2", ids(8), meta("spatial_start", "0", "spatial_count", "4", "prune", "keep=0.5",
                        "prune_layer", "1", "min_keep", "2", "max_keep", "1")),
                new Bad("at least one text token follows", ids(4), meta("spatial_start", "1", "spatial_count", "3")),
                new Bad("give both spatial_start and spatial_count", ids(4), meta("spatial_start", "1")),
                new Bad("input_ids[1] = 1099511627776 is outside the vocabulary", new long[] {1, 1L << 40}, meta()),
                new Bad("input_ids[0] = -1 is outside the vocabulary", new long[] {-1}, meta()),
                new Bad("4097 tokens, more than the model's context of 4096", ids(4097), meta()),
                new Bad("4000 prompt tokens and generate=97 exceed the model's context of 4096", ids(4000), meta("generate", "97")),
                new Bad("not a plain decimal", ids(8), meta("spatial_start", "0", "spatial_count", "4", "prune", "tau=NaN")),
                new Bad("needs a spatial block", ids(4), meta("prune", "tau=0.05")),
                new Bad("prune_layer=99 exceeds", ids(8), meta("spatial_start", "0", "spatial_count", "4", "prune", "keep=0.5", "prune_layer", "99")),
                new Bad("generate=+3 is not an integer", ids(4), meta("generate", "+3")),
                new Bad("min_keep=-1 must be at least 0", ids(8), meta("spatial_start", "0", "spatial_count", "4", "prune", "keep=0.5", "min_keep", "-1")),
                new Bad("query must be 'last' or 'instruction'", ids(4), meta("query", "first")));
        try (Model m = Model.open(model, DecoderWeights.Storage.AS_STORED)) {
            for (Bad b : bad) {
                Path in = tmp.resolve("in.safetensors");
                Path out = tmp.resolve("out.safetensors");
                SafetensorsWriter.write(in, b.meta(), List.of(TensorSource.ofLongs("input_ids", new long[] {b.ids().length}, b.ids())));
                InvalidFileException e = assertThrows(InvalidFileException.class, () -> ForwardRun.run(m, in, out, 1L << 30), b.problem());
                assertTrue(e.getMessage().contains(b.problem()), "expected '" + b.problem() + "' in: " + e.getMessage());
                assertTrue(e.getMessage().contains("in.safetensors"), "names the file: " + e.getMessage());
                assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
                assertFalse(out.toFile().exists(), "no output for " + b.problem());
            }
        }
    }

    @Test
    void anUnexpectedTensorIsRefused() throws Exception {
        try (Model m = Model.open(OracleContractTest.FULL_CASE.resolve("model"), DecoderWeights.Storage.AS_STORED)) {
            Path in = tmp.resolve("in.safetensors");
            SafetensorsWriter.write(in, Map.of(), List.of(TensorSource.ofLongs("input_ids", new long[] {2}, new long[] {1, 2}),
                    TensorSource.ofLongs("attention_mask", new long[] {2}, new long[] {1, 1})));
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> ForwardRun.run(m, in, tmp.resolve("out.safetensors"), 1L << 30));
            assertTrue(e.getMessage().contains("unexpected tensors [attention_mask]"), e.getMessage());
        }
    }
}
