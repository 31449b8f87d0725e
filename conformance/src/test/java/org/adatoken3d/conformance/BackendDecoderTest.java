package org.adatoken3d.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.CpuBackend;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.SafetensorsFile;
import org.adatoken3d.weights.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole decoder on a device backend against the CPU backend: every output of the forward interface on the
 * checked-in conformance corpus (prefill with AdaToken gating, contributions, compaction, greedy decoding), and greedy
 * stories260K text. A backend's test extends this and says only how to open its device.
 */
public abstract class BackendDecoderTest {
    /**
     * Both backends compute in f32 with their own summation orders and exp; over the corpus's few layers of width
     * ≤ 64 their differences stay near 1e-6. 1e-4 absolute plus 1e-4 relative is 20 times tighter than the corpus's
     * tolerance against PyTorch, and far above the f32 noise. Contributions are probabilities: 1e-6 absolute.
     * Integer outputs (positions, kept tokens, greedy ids) must be identical: the oracle keeps a margin around
     * every gate and greedy decision for that reason.
     */
    static final double ATOL = 1e-4, RTOL = 1e-4, PROBABILITY_ATOL = 1e-6;

    @TempDir Path tmp;

    /** A fresh backend on the device under test; fails (or aborts, saying so loudly) where there is none. */
    protected abstract Backend open();

    static Path root() {
        return Path.of(System.getProperty("adatoken3d.root", ".."));
    }

    @Test
    void forwardOnTheConformanceCorpusEqualsTheCpuBackend() throws IOException {
        String device;
        try (Backend probe = open()) {
            device = name(probe);
        }
        List<Path> cases;
        try (Stream<Path> s = Files.list(root().resolve("conformance/fixtures"))) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
        }
        assertTrue(cases.size() >= 16, "the checked-in corpus has 16 cases, found " + cases.size());
        List<String> failures = new ArrayList<>();
        for (Path c : cases) {
            Path cpu = tmp.resolve(c.getFileName() + "-cpu.safetensors"), other = tmp.resolve(c.getFileName() + "-device.safetensors");
            forward(c, new CpuBackend(), cpu);
            forward(c, open(), other);
            String problem = compare(cpu, other, device);
            if (problem != null) failures.add(c.getFileName() + ": " + problem);
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases differ on " + device + ":\n"
                + String.join("\n", failures));
    }

    /** The backend's name as {@code --device} spells it: the first word of its description. */
    private static String name(Backend b) {
        String d = b.description();
        int space = d.indexOf(' ');
        return space < 0 ? d : d.substring(0, space);
    }

    private static void forward(Path fixture, Backend backend, Path output) {
        try (Model m = Model.open(fixture.resolve("model"), DecoderWeights.Storage.AS_STORED, RopeStyle.ROTATE_HALF, backend)) {
            ForwardRun.run(m, fixture.resolve("inputs.safetensors"), output, 1L << 30);
        }
    }

    /** Null when every tensor agrees, else the first difference. */
    private static String compare(Path cpuFile, Path deviceFile, String device) {
        try (SafetensorsFile cpu = SafetensorsFile.open(cpuFile); SafetensorsFile other = SafetensorsFile.open(deviceFile)) {
            List<String> names = cpu.tensors().stream().map(Tensor::name).sorted().toList();
            List<String> otherNames = other.tensors().stream().map(Tensor::name).sorted().toList();
            if (!names.equals(otherNames)) return "outputs " + otherNames + ", the CPU backend wrote " + names;
            for (String name : names) {
                Tensor a = cpu.tensor(name), b = other.tensor(name);
                if (!java.util.Arrays.equals(a.shape(), b.shape())) {
                    return name + " has shape " + Tensor.shapeString(b.shape()) + ", on the CPU " + Tensor.shapeString(a.shape());
                }
                if (a.dtype() == DType.F32) {
                    float[] x = a.toFloatArray(), y = b.toFloatArray();
                    boolean probability = name.equals("contribution") || name.equals("spatial_share");
                    for (int i = 0; i < x.length; i++) {
                        double bound = probability ? PROBABILITY_ATOL : ATOL + RTOL * Math.abs(x[i]);
                        if (!(Math.abs(x[i] - y[i]) <= bound)) {
                            return name + "[" + i + "] = " + y[i] + " on " + device + ", " + x[i] + " on the CPU (bound " + bound + ")";
                        }
                    }
                } else {
                    long[] x = longs(a), y = longs(b);
                    if (!java.util.Arrays.equals(x, y)) {
                        return name + " = " + java.util.Arrays.toString(y) + " on " + device + ", " + java.util.Arrays.toString(x) + " on the CPU";
                    }
                }
            }
            return null;
        }
    }

    private static long[] longs(Tensor t) {
        if (t.dtype() != DType.I64) fail(t.name() + " has dtype " + t.dtype() + ", expected F32 or I64");
        return t.data().toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void greedyStories260KIsIdentical() {
        Path model = Path.of(System.getProperty("adatoken3d.shared", "../../shared"), "data", "stories260K");
        assertTrue(Files.isDirectory(model), "the stories260K model is expected at " + model.toAbsolutePath());
        Generation cpu = greedy(model, new CpuBackend());
        Backend backend = open();
        String device = name(backend);
        Generation other = greedy(model, backend);
        assertEquals(160, cpu.generated().length, "tokens generated on the CPU");
        assertArrayEquals(cpu.generated(), other.generated(), "greedy ids on " + device + " vs CPU");
        assertEquals(cpu.text(), other.text(), "greedy text on " + device + " vs CPU");
    }

    private static Generation greedy(Path model, Backend backend) {
        try (Model m = Model.open(model, DecoderWeights.Storage.AS_STORED, RopeStyle.ROTATE_HALF, backend)) {
            return new Generator(m.decoder(), m.tokenizer(), Generator.NO_EOS).generate(Prompt.text(new int[] {1}),
                    PrefillRequest.textOnly(), SamplingParams.greedy(), 160, 1L << 28, null, null);
        }
    }
}
