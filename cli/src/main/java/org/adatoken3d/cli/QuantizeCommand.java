package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.adatoken3d.model.decoder.Q4Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./adatoken3d quantize}: a model folder with its layer matrices stored as Q4_0 ({@link Q4Checkpoint}). */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Write a copy of a model folder whose decoder layer matrices are stored as Q4_0.", "",
                "Every layer's q/k/v/o and gate/up/down weights are quantised to Q4_0 (blocks of 32 values, 4-bit codes, one "
                + "bfloat16 scale per block: 4.5 bits a weight) exactly as --q4 does at load, and stored as <name>.q4_codes (U8) "
                + "and <name>.q4_scales (BF16) in safetensors, which every command maps as they are: the copy answers as "
                + "--q4 on the original does, without the work at each load. The embedding, LM head, norms, biases and the "
                + "LLaVA front end (projector, 3D position embedding, click encoder, CLIP tower) are copied byte for byte, "
                + "and so are the folder's other files (config.json, the tokenizer, a pruning profile).",
                "The copy is written beside --out and moved into place whole; --out may not be or hold the model folder."})
final class QuantizeCommand implements Runnable {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model folder in Hugging Face layout (config.json, *.safetensors).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the quantised model in (it must be empty unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace what --out holds (the new folder is written aside, then swapped in).")
    boolean force;

    @Override
    public void run() {
        Outputs.existingFolder("--model", model);
        long t0 = System.nanoTime();
        AtomicLong written = new AtomicLong();
        long[] lastReport = {t0};
        Q4Checkpoint.Summary s;
        try (Outputs.Folder folder = Outputs.folder("--out", out, force, model)) {
            s = Outputs.writing(folder, () -> {
                try {
                    return Q4Checkpoint.write(model, folder.staging(), bytes -> {
                        long done = written.addAndGet(bytes), now = System.nanoTime();
                        if (now - lastReport[0] > 500_000_000L) {
                            lastReport[0] = now;
                            Progress.update(String.format("quantize: %.2f GB written", done / 1e9), false);
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            folder.commit();
        }
        System.out.printf("quantize %s -> %s: %d layer matrices stored as Q4_0; tensors %.1f MB -> %.1f MB (%.2fx smaller); copied %s; %.1f s%n",
                model, out, s.quantised(), s.bytesBefore() / 1e6, s.bytesAfter() / 1e6, (double) s.bytesBefore() / s.bytesAfter(),
                s.copiedFiles().isEmpty() ? "no other files" : String.join(", ", s.copiedFiles()), (System.nanoTime() - t0) / 1e9);
    }
}
