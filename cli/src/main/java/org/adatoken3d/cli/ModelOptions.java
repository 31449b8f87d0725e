package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.backend.Backend;
import org.adatoken3d.kernels.backend.Backends;
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

    /** Applies --threads and opens the model, telling stderr how long the load took. */
    Model open() {
        applyThreads(threads);
        long t0 = System.nanoTime();
        RopeStyle style = switch (ropeStyle) {
            case "rotate_half" -> RopeStyle.ROTATE_HALF;
            case "interleaved" -> RopeStyle.INTERLEAVED;
            default -> throw new IllegalArgumentException("--rope-style must be rotate_half or interleaved, got " + ropeStyle);
        };
        Backend backend = Backends.open(device);
        Model m = Model.open(model, q8 ? DecoderWeights.Storage.Q8_0 : DecoderWeights.Storage.AS_STORED, style, backend);
        Progress.say("loaded %s (%s, %d layers, hidden %d) on %s in %.2f s", model, m.config().family(), m.config().numLayers(),
                m.config().hiddenSize(), backend.description(), (System.nanoTime() - t0) / 1e9);
        return m;
    }

    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            Parallel.setThreads(threads);
        }
    }
}
