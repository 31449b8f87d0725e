package org.adatoken3d.cli;

import java.nio.file.Path;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.conformance.ForwardRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"One request of the conformance oracle interface (conformance/FORMAT.md).",
                "",
                "Run one forward request of the conformance oracle interface (conformance/FORMAT.md).",
                "IN holds input_ids [n] (I32/I64), optionally spatial_embeds, and the request in its metadata; "
                + "OUT receives logits, hidden_states (after the final norm), positions, and, as requested, "
                + "contribution, spatial_share, kept and greedy_ids."})
final class ForwardCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "IN.safetensors",
            description = "The request: input_ids and optional spatial_embeds, with the request in its metadata (FORMAT.md section 5.1).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.safetensors",
            description = "Where the outputs go (FORMAT.md section 5.2); replaced if it exists, keeping its file mode; never the input "
                    + "or a file of the model.")
    Path output;

    @Override
    public void run() {
        Outputs.existingFile("--input", input);
        Outputs.checkFile("--output", output, input, model.model);
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            long t0 = System.nanoTime();
            ForwardRun.run(m, input, output, model.kvBudgetBytes());
            Progress.say("wrote %s in %.3f s", output, (System.nanoTime() - t0) / 1e9);
        }
    }
}
