package org.adatoken3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import org.adatoken3d.model.synth.SynthPreset;
import org.adatoken3d.model.synth.SyntheticCheckpoint;
import org.adatoken3d.weights.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the engine end to end with no downloads: write a small synthetic LLaVA-3D-layout checkpoint",
                "once (seeded random weights), load it memory-mapped, and generate from it, reporting speed."})
final class DemoCommand implements Runnable {
    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo checkpoint lives (default: target/demo in the project).")
    Path dir;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Override
    public void run() {
        ModelOptions.applyThreads(threads);
        SynthPreset preset = SynthPreset.SMALL;
        Path folder = (dir != null ? dir : defaultRoot().resolve("target").resolve("demo")).resolve(preset.id);
        System.out.println("adatoken3d demo");
        System.out.println("  The weights below are SYNTHETIC (seeded random numbers in the exact LLaVA-3D layout), so the");
        System.out.println("  generated text is meaningless; what the demo shows is the engine: loading, prefill, decoding.");
        if (!Files.isRegularFile(folder.resolve("config.json"))) {
            SynthCommand.write(new SyntheticCheckpoint(preset, null, DType.BF16, 1), folder, preset.id);
        }
        try (Model m = Model.open(folder, DecoderWeights.Storage.AS_STORED)) {
            System.out.printf("  model: %s (%s, %d layers, hidden %d, %d heads, vocab %d, BF16 weights, memory-mapped)%n",
                    folder, m.config().family(), m.config().numLayers(), m.config().hiddenSize(), m.config().numHeads(),
                    m.config().vocabSize());
            String text = "A chat between a curious human and an artificial intelligence assistant.";
            int[] ids = m.tokenizer().encode(text, true);
            System.out.printf("  prompt: \"%s\" (%d tokens)%n  output: ", text, ids.length);
            Generation g = new Generator(m.decoder(), m.tokenizer()).generate(Prompt.text(ids), PrefillRequest.textOnly(),
                    SamplingParams.greedy(), 48, 1L << 30, piece -> {
                        System.out.print(piece);
                        System.out.flush();
                    }, null);
            System.out.println();
            System.out.printf("  prefill %.1f ms, decoding %.1f tokens/s (%d tokens, greedy, %d threads)%n",
                    g.prefillNanos() / 1e6, g.decodeTokensPerSecond(), g.generated().length, org.adatoken3d.kernels.Parallel.threads());
        }
    }

    static Path defaultRoot() {
        String root = System.getProperty("adatoken3d.root");
        return Path.of(root != null ? root : ".").toAbsolutePath().normalize();
    }
}
