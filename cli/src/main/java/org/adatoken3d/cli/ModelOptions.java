package org.adatoken3d.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Options shared by every command that runs a model. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder in Hugging Face layout (config.json, *.safetensors, tokenizer).")
    Path model;

    @Option(names = "--threads", paramLabel = "N", converter = Ranges.Threads.class,
            description = "Worker threads, 1 to 4 per core (default: all cores).")
    Integer threads;

    @Option(names = "--q8", description = "Quantise the layer matrices and the LM head to Q8_0 at load time (faster decoding, small error).")
    boolean q8;

    @Option(names = "--q4", description = "Quantise the layer matrices and the LM head to Q4_0 at load time (4.5 bits a weight: faster "
            + "decoding, a quarter of BF16's memory, more error than --q8; ./adatoken3d quantize writes them once to a folder instead).")
    boolean q4;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "Where the decoder layers run: cpu (Vector API), opencl[:N] or tornado[:N] (device N of ./adatoken3d "
                    + "devices; opencl needs an OpenCL driver, tornado a build with TORNADOVM_HOME set). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--kv-budget", paramLabel = "GiB", converter = Ranges.Positive.class,
            description = "Most memory the KV cache may take, in GiB. The cache lives on the Java heap, so the default is half of "
                    + "the heap this JVM was given: ${DEFAULT-VALUE} GiB here (a larger heap: ADATOKEN3D_JAVA_OPTS=-Xmx24g).")
    double kvBudgetGiB;

    @Option(names = "--rope-style", defaultValue = "rotate_half", paramLabel = "rotate_half|interleaved",
            description = "RoPE convention: rotate_half (Hugging Face checkpoints; default) or interleaved (Meta's layout: wrong for "
                    + "Hugging Face checkpoints, which is how the conformance suite is shown to catch it).")
    String ropeStyle;

    /** The share of the heap the KV cache may take by default: the rest holds activations, logits and the scene. */
    static final double KV_SHARE_OF_HEAP = 0.5;

    /** Defaults that depend on the machine, which an annotation cannot say. */
    static final IDefaultValueProvider DEFAULTS = option -> option instanceof OptionSpec o && o.longestName().equals("--kv-budget")
            ? String.format(Locale.ROOT, "%.2f", defaultKvBudgetGiB()) : null;

    static double defaultKvBudgetGiB() {
        return Math.floor(KV_SHARE_OF_HEAP * Runtime.getRuntime().maxMemory() / (1 << 30) * 100) / 100;
    }

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
        return new EngineOptions(device, threads == null ? 0 : threads, storage(), style, visionTower, kvBudgetBytes());
    }

    /** The weight storage --q8 or --q4 asks for; both at once is refused. */
    DecoderWeights.Storage storage() {
        if (q8 && q4) throw new UserException("--q8 and --q4 do not go together: give one");
        return q8 ? DecoderWeights.Storage.Q8_0 : q4 ? DecoderWeights.Storage.Q4_0 : DecoderWeights.Storage.AS_STORED;
    }

    /** Opens the model, telling stderr how long the load took. */
    Llava3d open() {
        return open(null);
    }

    /** As {@link #open()}, with a separate CLIP vision tower folder (may be null). */
    Llava3d open(Path visionTower) {
        Outputs.existingFolder("--model", model);
        if (visionTower != null) Outputs.existingFolder("--vision-tower", visionTower);
        long t0 = System.nanoTime();
        Llava3d llava = Llava3d.open(model, engineOptions(visionTower));
        Model m = llava.model();
        Progress.say("loaded %s (%s, %d layers, hidden %d) on %s in %.2f s", model, m.config().family(), m.config().numLayers(),
                m.config().hiddenSize(), m.decoder().backend().description(), (System.nanoTime() - t0) / 1e9);
        return llava;
    }

    /** Sets the worker threads when {@code --threads} was given (its range checked by {@link Ranges.Threads}). */
    static void applyThreads(Integer threads) {
        if (threads != null) Parallel.setThreads(threads);
    }
}
