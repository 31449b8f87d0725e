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
                "IN holds input_ids [n] (I32/I64), optionally spatial_embeds, and the request in its metadata;",
                "OUT receives logits, hidden_states (after the final norm), positions, and, as requested,",
                "contribution, spatial_share, kept and greedy_ids."})
final class ForwardCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--input", required = true, paramLabel = "IN.safetensors") Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.safetensors") Path output;

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            long t0 = System.nanoTime();
            ForwardRun.run(m, input, output, model.kvBudgetBytes());
            Progress.say("wrote %s in %.3f s", output, (System.nanoTime() - t0) / 1e9);
        }
    }
}
