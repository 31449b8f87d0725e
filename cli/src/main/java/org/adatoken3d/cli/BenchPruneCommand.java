package org.adatoken3d.cli;

import java.util.List;
import org.adatoken3d.bench.PruneBench;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.generation.Prompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Time to first token and FLOPs, unpruned and under each pruning policy.",
                "",
                "Time to first token and prefill FLOPs of a llava_v1 prompt with N spatial tokens (seeded random "
                + "embeddings), unpruned and under each gate policy, side by side in one run, as ratios to unpruned.",
                "On a checkpoint with fewer layers than --extrapolate-to, per-layer times measured at the full and the "
                + "kept token counts are extrapolated to that depth, and labelled so."})
final class BenchPruneCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--spatial-tokens", defaultValue = "1410", paramLabel = "N", converter = Ranges.Tokens.class, description = "Spatial tokens N (default: ${DEFAULT-VALUE}).")
    int spatialTokens;

    @Option(names = "--policies", defaultValue = "keep=0.3;fastv;random,keep=0.3;tau=0.05", split = ";",
            description = "Gate policies separated by ';' (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--question", defaultValue = "What is the colour of the chair next to the table?", paramLabel = "TEXT",
            description = "The question after the spatial tokens (default: ${DEFAULT-VALUE}).")
    String question;

    @Option(names = "--extrapolate-to", paramLabel = "LAYERS", converter = Ranges.Count.class, description = "Also report TTFT extrapolated to this many layers.")
    Integer extrapolateTo;

    @Option(names = "--runs", defaultValue = "1", paramLabel = "N", converter = Ranges.Count.class,
            description = "Timed runs per policy, in rounds over all policies after one untimed run of each; the median is used "
                    + "(default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            Prompt prompt = llava.prompt(PruneBench.randomSpatial(llava.model(), spatialTokens), question);
            List<PruneBench.Row> rows = PruneBench.run(llava, prompt, policies, runs);
            PruneBench.print(llava, prompt, spatialTokens, rows, System.out);
            if (extrapolateTo != null) PruneBench.extrapolate(llava, prompt, rows, extrapolateTo, System.out);
        }
    }
}
