package org.adatoken3d.conformance;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.DecoderConfig;
import org.adatoken3d.weights.ModelConfig;
import org.adatoken3d.weights.SafetensorsFile;

/**
 * The conformance suite's readers on arbitrary bytes: a forward request (inputs.safetensors) and a case.json. Each
 * either yields a value that meets FORMAT.md's rules or throws {@link InvalidFileException}; any other exception is a
 * finding. Under {@code mvn test} these run in Jazzer's regression mode on the seeds in
 * {@code ConformanceFilesFuzzTestInputs/<method>/}; {@code scripts/fuzz} fuzzes them.
 */
class ConformanceFilesFuzzTest {
    private static final Path FILE = Path.of("fuzz");
    /** A model the requests are checked against: 3 layers, hidden 8, 50 tokens, a context of 64. */
    private static final DecoderConfig MODEL = ModelConfig.builder(DecoderConfig.Family.LLAMA).hiddenSize(8).intermediateSize(16).numLayers(3)
            .numHeads(2).numKvHeads(1).vocabSize(50).maxPositionEmbeddings(64).build().decoder();

    @FuzzTest(maxDuration = "60s")
    void forwardRequest(byte[] data) {
        try (SafetensorsFile file = SafetensorsFile.fromSegment(FILE, MemorySegment.ofArray(data))) {
            ForwardRequest r = ForwardRequest.read(file, MODEL);
            int n = r.inputIds().length;
            if (n < 1 || n + r.generate() > MODEL.maxPositionEmbeddings()) throw new AssertionError("a request past the context was accepted");
            for (int id : r.inputIds()) if (id < 0 || id >= MODEL.vocabSize()) throw new AssertionError("token id " + id + " was accepted");
            if (r.spatial() != null && r.spatial().end() >= n) throw new AssertionError("a spatial block reaching the end was accepted");
            if (r.gate().gates() && (r.spatial() == null || r.gate().layer() > MODEL.numLayers())) throw new AssertionError("a gate was accepted: " + r.gate());
            if (r.spatialEmbeds() != null && r.spatialEmbeds().length != r.spatial().count() * MODEL.hiddenSize()) throw new AssertionError("spatial_embeds rows");
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad request.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void caseJson(byte[] data) {
        try {
            Fixture f = Fixture.parse(FILE, FILE.resolve("case.json"), data);
            for (String name : Fixture.TOLERANCES) {
                Tolerance t = f.tolerances().get(name);
                if (!(t.atol() >= 0 && t.rtol() >= 0 && Double.isFinite(t.atol()) && Double.isFinite(t.rtol()))) throw new AssertionError(name + " " + t);
            }
            for (String name : Fixture.TIE_THRESHOLDS) {
                double v = f.tieThresholds().get(name);
                if (!(v >= 0 && Double.isFinite(v))) throw new AssertionError(name + " " + v);
            }
        } catch (InvalidFileException expected) {
            // A clear error is the right answer to a bad case.json.
        }
    }
}
