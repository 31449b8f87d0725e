package org.adatoken3d.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.adatoken3d.bench.KernelBench.Timing;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.pruning.FlopsModel;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.QuerySet;

/**
 * {@code bench prefill}: the prefill of a prompt of seeded random token ids, as time to first token (logits of the
 * last row) or as the forward work (logits at every row), median of several runs after a warm-up.
 */
public final class PrefillBench {
    /** The seed of the prompt's ids; the PyTorch peer draws the same ids from the same seed. */
    static final long PROMPT_SEED = 7;

    public record Result(int tokens, int layers, boolean allLogits, String backend, Timing seconds, long flops) {
        public double tokensPerSecond() {
            return tokens / seconds.median();
        }

        public double gflops() {
            return flops / seconds.median() / 1e9;
        }
    }

    private PrefillBench() {}

    public static Result run(Llava3d llava, int tokens, boolean allLogits, int runs, long kvBudgetBytes, BenchProgress progress) {
        Model m = llava.model();
        int[] ids = randomIds(tokens, m.config().vocabSize(), PROMPT_SEED);
        PrefillRequest request = new PrefillRequest(null, new GatePolicy.NoPruning(), QuerySet.LAST, false,
                allLogits ? PrefillRequest.Logits.ALL : PrefillRequest.Logits.LAST);
        KvCache cache = m.decoder().newCache(tokens, kvBudgetBytes);
        double[] seconds = new double[runs];
        for (int r = -1; r < runs; r++) {
            cache.clear();
            long t0 = System.nanoTime();
            float[] x = m.decoder().embed(ids, null, null);
            m.decoder().prefill(x, tokens, cache, request, progress.layers(r < 0 ? "warm-up" : "run " + (r + 1), m.config().numLayers()));
            if (r >= 0) seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        FlopsModel flops = new FlopsModel(m.decoderShape());
        int[] perLayer = new int[m.config().numLayers()];
        Arrays.fill(perLayer, tokens);
        long work = flops.prefillFlops(perLayer, allLogits ? FlopsModel.Logits.EVERY_POSITION : FlopsModel.Logits.LAST_TOKEN);
        return new Result(tokens, m.config().numLayers(), allLogits, m.decoder().backend().description(), Timing.of(seconds), work);
    }

    /** BOS, then seeded ids from 3 up (past BOS, EOS and the unknown token). */
    public static int[] randomIds(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        ids[0] = 1;
        for (int i = 1; i < n; i++) ids[i] = 3 + r.nextInt(vocab - 3);
        return ids;
    }

    /** Our figures and, when {@code torch} is not null, PyTorch's and the ratio. */
    public static void print(Result r, TorchBench.Result torch, PrintStream out) {
        out.printf(Locale.ROOT, "prefill  %d tokens, %d layers, logits %s, on %s%n", r.tokens(), r.layers(), r.allLogits() ? "all" : "last", r.backend());
        out.printf(Locale.ROOT, "  adatoken3d  %8.3f s  %8.1f tok/s  %7.1f GFLOP/s  (median of %d)%n", r.seconds().median(), r.tokensPerSecond(),
                r.gflops(), r.seconds().samples().length);
        if (torch != null) {
            out.printf(Locale.ROOT, "  pytorch     %8.3f s  %8.1f tok/s  %7.1f GFLOP/s  (torch %s, %s weights, eager)%n", torch.seconds(),
                    r.tokens() / torch.seconds(), r.flops() / torch.seconds() / 1e9, torch.version(), torch.dtype());
            double speedup = torch.seconds() / r.seconds().median();
            out.printf(Locale.ROOT, "  speed-up over PyTorch: %.2fx  (issue 17: >= 1.5 on the 2-layer 7B shape; %s here)%n", speedup,
                    speedup >= 1.5 ? "met" : "NOT MET");
        }
    }
}
