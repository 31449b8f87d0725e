package org.adatoken3d.cli;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.adatoken3d.kernels.Parallel;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;
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
            Model m = llava.model();
            int[] ids = randomIds(tokens, m.config().vocabSize(), 7);
            PrefillRequest request = new PrefillRequest(null, new GatePolicy.NoPruning(), QuerySet.LAST, false,
                    all ? PrefillRequest.Logits.ALL : PrefillRequest.Logits.LAST);
            KvCache cache = m.decoder().newCache(tokens, model.kvBudgetBytes());
            double[] seconds = new double[runs];
            for (int r = -1; r < runs; r++) {
                cache.clear();
                long t0 = System.nanoTime();
                float[] x = m.decoder().embed(ids, null, null);
                m.decoder().prefill(x, tokens, cache, request, Progress.layers(r < 0 ? "warm-up" : "run " + (r + 1), m.config().numLayers()));
                if (r >= 0) seconds[r] = (System.nanoTime() - t0) / 1e9;
            }
            double median = median(seconds);
            FlopsModel flops = new FlopsModel(m.decoderShape());
            int[] perLayer = new int[m.config().numLayers()];
            Arrays.fill(perLayer, tokens);
            long work = flops.prefillFlops(perLayer, all ? FlopsModel.Logits.EVERY_POSITION : FlopsModel.Logits.LAST_TOKEN);
            System.out.printf("prefill  %d tokens, %d layers, logits %s, on %s%n", tokens, m.config().numLayers(), logits,
                    m.decoder().backend().description());
            System.out.printf("  adatoken3d  %8.3f s  %8.1f tok/s  %7.1f GFLOP/s  (median of %d)%n", median, tokens / median, work / median / 1e9, runs);
            if (vsTorch) {
                TorchBench.Result torch = TorchBench.prefill(model.model, tokens, all, Parallel.threads(), runs);
                System.out.printf("  pytorch     %8.3f s  %8.1f tok/s  %7.1f GFLOP/s  (torch %s, %s weights, eager)%n", torch.seconds(),
                        tokens / torch.seconds(), work / torch.seconds() / 1e9, torch.version(), torch.dtype());
                System.out.printf("  speed-up over PyTorch: %.2fx%n", torch.seconds() / median);
            }
        }
    }

    static int[] randomIds(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        ids[0] = 1;
        for (int i = 1; i < n; i++) ids[i] = 3 + r.nextInt(vocab - 3);
        return ids;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}
