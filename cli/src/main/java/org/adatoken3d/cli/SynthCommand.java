package org.adatoken3d.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.concurrent.atomic.AtomicLong;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.weights.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a seeded random checkpoint with a real model's tensor names, shapes and config.",
                "",
                "Write a Hugging Face layout checkpoint with seeded random weights and the exact tensor names, "
                + "shapes and config of a real model, for tests and for benchmarks at real scale without downloads.",
                "Presets: tiny, small (LLaVA-3D layout, small sizes), llava3d-7b (LLaVA-3D 7B), qwen2-7b (Qwen2-7B).",
                "The LLaVA-3D presets include a CLIP vision tower (model.vision_tower.vision_tower.vision_model.*): ViT-L/14-336 "
                + "for llava3d-7b, narrower 336-pixel, 14-pixel-patch towers for tiny and small; --layers sets decoder layers only."})
final class SynthCommand implements Runnable {
    @Option(names = "--preset", required = true, paramLabel = "PRESET", description = "tiny | small | llava3d-7b | qwen2-7b.")
    String preset;

    @Option(names = "--layers", paramLabel = "N", converter = Ranges.Count.class, description = "Decoder layers (default: the preset's).")
    Integer layers;

    @Option(names = "--dtype", paramLabel = "DTYPE", description = "bf16 | f16 | f32 (default: the preset's).")
    String dtype;

    @Option(names = "--seed", defaultValue = "1", description = "Weight seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder to write the checkpoint in (created; it must be empty unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace what --out holds (the new checkpoint is written aside, then swapped in).")
    boolean force;

    /** The data types a synthetic checkpoint can be written in. */
    static final List<DType> DTYPES = List.of(DType.BF16, DType.F16, DType.F32);

    @Override
    public void run() {
        SynthPreset p = Arrays.stream(SynthPreset.values()).filter(v -> v.id.equals(preset)).findFirst().orElseThrow(() -> new UserException(
                "--preset must be one of " + Arrays.stream(SynthPreset.values()).map(v -> v.id).collect(Collectors.joining(", ")) + ", got " + preset));
        String name = (dtype == null ? p.defaultDtype : dtype).toUpperCase(Locale.ROOT);
        DType type = DTYPES.stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() -> new UserException(
                "--dtype must be one of " + DTYPES.stream().map(d -> d.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                        + ", got " + dtype));
        SyntheticCheckpoint checkpoint = new SyntheticCheckpoint(p, layers, type, seed);
        try (Outputs.Folder folder = Outputs.folder("--out", out, force)) {
            Outputs.writing(folder, () -> {
                write(checkpoint, folder.staging(), p.id);
                return null;
            });
            folder.commit();
        }
        Progress.say("synth %s -> %s", p.id, out);
    }

    /** Writes with a progress line on stderr; shared with {@code demo}. */
    static void write(SyntheticCheckpoint checkpoint, Path out, String what) {
        long total = checkpoint.tensorBytes();
        AtomicLong done = new AtomicLong();
        long t0 = System.nanoTime();
        long[] lastReport = {0};
        try {
            checkpoint.write(out, bytes -> {
                long d = done.addAndGet(bytes);
                long now = System.nanoTime();
                if (now - lastReport[0] > 500_000_000L) {
                    lastReport[0] = now;
                    Progress.update(String.format("synth %s: %.2f / %.2f GB", what, d / 1e9, total / 1e9), false);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Progress.update(String.format("synth %s: %.2f GB in %.1f s", what, total / 1e9, (System.nanoTime() - t0) / 1e9), true);
    }
}
