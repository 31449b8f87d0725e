package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import picocli.CommandLine.Option;

/** Options shared by every command that runs a model. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder in Hugging Face layout (config.json, *.safetensors, tokenizer).")
    Path model;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--q8", description = "Quantise the layer matrices to Q8_0 at load time (faster decoding, small error).")
    boolean q8;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "Where the decoder layers run: cpu (Vector API) or opencl[:N] (device N of ./adatoken3d devices; "
                    + "needs the OpenCL backend module and an OpenCL driver). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--kv-budget", paramLabel = "GiB", defaultValue = "8",
            description = "Most memory the KV cache may take, in GiB (default: ${DEFAULT-VALUE}).")
    double kvBudgetGiB;

    @Option(names = "--rope-style", defaultValue = "rotate_half", hidden = true,
            description = "rotate_half (Hugging Face) | interleaved (Meta layout; wrong for HF checkpoints, used to test the conformance suite).")
    String ropeStyle;

    long kvBudgetBytes() {
        return (long) (kvBudgetGiB * (1L << 30));
    }

    /** The engine options these flags (and {@code visionTower}, may be null) ask for. */
    EngineOptions engineOptions(Path visionTower) {
        RopeStyle style = switch (ropeStyle) {
            case "rotate_half" -> RopeStyle.ROTATE_HALF;
            case "interleaved" -> RopeStyle.INTERLEAVED;
            default -> throw new EngineArgumentException("ropeStyle", "must be rotate_half or interleaved, got " + ropeStyle);
        };
        return new EngineOptions(device, threads == null ? 0 : threads, q8 ? DecoderWeights.Storage.Q8_0 : DecoderWeights.Storage.AS_STORED,
                style, visionTower, kvBudgetBytes());
    }

    /** Opens the model, telling stderr how long the load took. */
    Llava3d open() {
        return open(null);
    }

    /** As {@link #open()}, with a separate CLIP vision tower folder (may be null). */
    Llava3d open(Path visionTower) {
        long t0 = System.nanoTime();
        Llava3d llava = Llava3d.open(model, engineOptions(visionTower));
        Model m = llava.model();
        Progress.say("loaded %s (%s, %d layers, hidden %d) on %s in %.2f s", model, m.config().family(), m.config().numLayers(),
                m.config().hiddenSize(), m.decoder().backend().description(), (System.nanoTime() - t0) / 1e9);
        return llava;
    }

    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) throw new EngineArgumentException("threads", "must be >= 1, got " + threads);
            Parallel.setThreads(threads);
        }
    }
}
