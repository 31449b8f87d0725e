package org.adatoken3d.cli;

import org.adatoken3d.bench.PrefillBench;
import org.adatoken3d.bench.TorchBench;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.llava3d.Llava3d;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "prefill", mixinStandardHelpOptions = true,
        description = {"Prefill time of a long prompt, optionally against PyTorch eager in the same run.",
                "",
                "Time the prefill of a prompt of random token ids (seeded), as time to first token (logits of "
                + "the last row) or as the forward work (logits at every row, --logits all). --vs-torch times the same "
                + "checkpoint through a PyTorch eager forward (Debian python3-torch, f32) in the same run."})
final class BenchPrefillCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--tokens", defaultValue = "1470", paramLabel = "N", converter = Ranges.Tokens.class, description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--logits", defaultValue = "last", description = "last | all (default: ${DEFAULT-VALUE}).")
    String logits;

    @Option(names = "--runs", defaultValue = "2", paramLabel = "N", converter = Ranges.Count.class,
            description = "Timed runs after one warm-up; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--vs-torch", description = "Also time PyTorch eager on the same checkpoint and prompt.")
    boolean vsTorch;

    @Override
    public void run() {
        boolean all = switch (logits) {
            case "last" -> false;
            case "all" -> true;
            default -> throw new UserException("--logits must be last or all, got " + logits);
        };
        try (Llava3d llava = model.open()) {
            PrefillBench.Result r = PrefillBench.run(llava, tokens, all, runs, model.kvBudgetBytes(), CliProgress.STDERR);
            TorchBench.Result torch = vsTorch ? new TorchBench(BundledFiles.folder("python", BundledFiles.cacheDir()))
                    .prefill(model.model, tokens, all, Parallel.threads(), runs) : null;
            PrefillBench.print(r, torch, System.out);
        }
    }
}
