package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.calibration.SpatialRuns;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.model.multimodal.SpatialInput;
import org.adatoken3d.model.multimodal.SpatialPrompt;
import org.adatoken3d.model.synth.SynthPreset;
import org.adatoken3d.model.synth.SyntheticCheckpoint;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.FlopsReport;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.PruneSpec;
import org.adatoken3d.pruning.RedundancyReport;
import org.adatoken3d.weights.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The engine end to end on a synthetic checkpoint, with no downloads.",
                "",
                "The engine end to end with no downloads: writes a small synthetic LLaVA-3D-layout checkpoint once,",
                "generates text, then answers a question over 1410 spatial tokens unpruned and with AdaToken pruning,",
                "reporting tokens kept, FLOPs and time saved, and an HTML report."})
final class DemoCommand implements Runnable {
    static final int SPATIAL_TOKENS = 1410;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo checkpoint and report go (default: target/demo in the project).")
    Path dir;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public void run() {
        ModelOptions.applyThreads(threads);
        SynthPreset preset = SynthPreset.SMALL;
        Path root = dir != null ? dir : defaultRoot().resolve("target").resolve("demo");
        Path folder = root.resolve(preset.id);
        System.out.println("adatoken3d demo");
        System.out.println("  The weights are SYNTHETIC: seeded random numbers in the exact LLaVA-3D layout (decoder, projector,");
        System.out.println("  3D position MLP), so the text below is meaningless. What the demo shows is the engine.");
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            SynthCommand.write(new SyntheticCheckpoint(preset, null, DType.BF16, 1), folder, preset.id);
        }
        try (Model m = Model.open(folder, DecoderWeights.Storage.AS_STORED)) {
            System.out.printf("  model: %s (%s, %d layers, hidden %d, %d heads, vocab %d, BF16 weights, memory-mapped), %d threads%n",
                    folder, m.config().family(), m.config().numLayers(), m.config().hiddenSize(), m.config().numHeads(),
                    m.config().vocabSize(), Parallel.threads());
            generate(m);
            askWithPruning(m, root.resolve("report"));
        }
    }

    private static void generate(Model m) {
        String text = "A chat between a curious human and an artificial intelligence assistant.";
        int[] ids = m.tokenizer().encode(text, true);
        System.out.printf("%n1. Text generation%n  prompt: \"%s\" (%d tokens)%n  output:", text, ids.length);
        Generation g = new Generator(m.decoder(), m.tokenizer()).generate(Prompt.text(ids), PrefillRequest.textOnly(),
                SamplingParams.greedy(), 32, 1L << 30, piece -> {
                    System.out.print(piece);
                    System.out.flush();
                }, null);
        System.out.printf("%n  prefill %.1f ms; decoding %.1f tokens/s over %d tokens (greedy)%n", g.prefillNanos() / 1e6,
                g.decodeTokensPerSecond(), g.generated().length);
    }

    private static void askWithPruning(Model m, Path reportDir) {
        String question = "What is the colour of the chair next to the table?";
        SpatialInput spatial = BenchPruneCommand.randomSpatial(m, SPATIAL_TOKENS);
        Prompt prompt = SpatialPrompt.build(m.tokenizer(), question, spatial);
        int n = prompt.ids().length;
        System.out.printf("%n2. A question over %d spatial tokens (random embeddings in place of a scene), llava_v1 prompt of %d tokens%n",
                SPATIAL_TOKENS, n);
        FlopsModel flops = new FlopsModel(Shapes.of(m.config()));
        System.out.printf("  %-22s %12s %10s %12s %12s  %s%n", "policy", "kept", "TTFT ms", "prefill FLOPs", "KV cache", "answer (first tokens)");
        double baseSeconds = 0;
        for (String spec : List.of("none", "tau=0.05", "keep=0.3", "fastv")) {
            GatePolicy gate = PruneSpec.parse(spec).policy();
            PrefillRequest request = new PrefillRequest(prompt.spatial(), gate, gate.query(), false, PrefillRequest.Logits.LAST);
            Generator generator = new Generator(m.decoder(), m.tokenizer());
            generator.generate(prompt, request, SamplingParams.greedy(), 1, 1L << 30, null, null); // warm-up
            Generation g = generator.generate(prompt, request, SamplingParams.greedy(), 8, 1L << 30, null, null);
            KeepSet keep = g.prefill().keepSet() != null ? g.prefill().keepSet() : KeepSet.all(SPATIAL_TOKENS);
            FlopsReport f = flops.report(n, gate.gates() ? gate.layer() : m.config().numLayers(), keep, FlopsModel.Logits.LAST_TOKEN);
            double seconds = g.prefillNanos() / 1e9;
            if (!gate.gates()) baseSeconds = seconds;
            System.out.printf("  %-22s %12s %10.1f %11.0f%% %11.0f%%  %s%n", spec, keep.keptCount() + "/" + keep.total(), seconds * 1e3,
                    100.0 * f.prefillAfter() / f.prefillBefore(), 100.0 * f.kvBytesAfter() / f.kvBytesBefore(),
                    g.text().strip().replace('\n', ' '));
            if (gate.gates()) {
                System.out.printf("  %-22s %12s %9.2fx faster to the first token%n", "", "", baseSeconds / seconds);
            }
        }
        GatePolicy adaptive = PruneSpec.parse("tau=0.05").policy();
        var sample = new SpatialRuns(m, 1L << 30).sample(prompt, adaptive.query());
        KeepSet keep = adaptive.keepSet(sample.layer(adaptive.layer() - 1).contribution());
        try {
            Path html = RedundancyReport.write(new RedundancyReport.Input(m.directory().getFileName().toString(), question, adaptive,
                    sample.layers(), keep, null), reportDir);
            System.out.printf("%n3. Spatial contribution report (per-layer spatial share and redundancy): %s%n", html.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("  Random weights spread attention evenly, so tau=0.05 keeps most tokens here; a trained model concentrates");
        System.out.println("  it (./adatoken3d bench quality --model ../shared/data/stories260K shows that on a real model).");
    }

    static Path defaultRoot() {
        String root = System.getProperty("adatoken3d.root");
        return Path.of(root != null ? root : ".").toAbsolutePath().normalize();
    }
}
