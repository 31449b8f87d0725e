package org.adatoken3d.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.DoubleStream;
import org.adatoken3d.bench.KernelBench.Timing;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;

/**
 * {@code bench decode}: greedy decoding after a prompt of seeded random ids, against the bandwidth roofline: bytes
 * read per token (weights and KV cache) over the read bandwidth sampled right before and right after the timed
 * decode, since a shared host's bandwidth drifts with its neighbours' load.
 */
public final class DecodeBench {
    /**
     * @param weightBytes weight bytes read per decoded token (every layer matrix and the LM head)
     * @param kvBytes mean KV-cache bytes read per decoded token (the cache grows a row per step)
     */
    public record Result(int promptTokens, int tokens, String backend, String storage, double ttftSeconds, double tokensPerSecond,
            long weightBytes, long kvBytes, Timing bandwidth) {
        public double roofline() {
            return bandwidth.median() / (weightBytes + kvBytes);
        }
    }

    private DecodeBench() {}

    public static Result run(Llava3d llava, int promptTokens, int tokens, long kvBudgetBytes, BenchProgress progress) {
        Model m = llava.model();
        int[] ids = PrefillBench.randomIds(promptTokens, m.config().vocabSize(), PrefillBench.PROMPT_SEED);
        Generator generator = new Generator(m.decoder(), null, Generator.NO_EOS);
        // Warm-up on a short prompt, so the timed run measures compiled code, not the JIT.
        generator.generate(Prompt.text(Arrays.copyOf(ids, Math.min(ids.length, 64))), PrefillRequest.textOnly(),
                SamplingParams.greedy(), Math.max(tokens, 32), kvBudgetBytes, null, null);
        double[] before, after;
        Generation g;
        try (KernelBench bench = new KernelBench(1, 3, progress::say)) {
            before = bench.readBandwidth().samples();
            g = generator.generate(Prompt.text(ids), PrefillRequest.textOnly(), SamplingParams.greedy(), tokens, kvBudgetBytes, null,
                    progress.layers("prefill", m.config().numLayers()));
            after = bench.readBandwidth().samples();
        }
        long weightBytes = m.decoder().weights().bytesPerDecodedToken();
        long kvBytes = KvCache.bytesPerTokenPerLayer(m.config().numKvHeads(), m.config().headDim())
                * m.config().numLayers() * (promptTokens + tokens / 2);
        double[] samples = DoubleStream.concat(Arrays.stream(before), Arrays.stream(after)).sorted().toArray();
        return new Result(promptTokens, tokens, m.decoder().backend().description(), storageLabel(llava), g.prefillNanos() / 1e9,
                g.decodeTokensPerSecond(), weightBytes, kvBytes, Timing.of(samples));
    }

    /** How the layer matrices are held, in words. */
    static String storageLabel(Llava3d llava) {
        var storage = llava.options().storage();
        return storage == org.adatoken3d.model.decoder.DecoderWeights.Storage.AS_STORED ? "as stored" : "quantised to " + storage + " at load";
    }

    public static void print(Result r, PrintStream out) {
        double[] s = r.bandwidth().samples();
        out.printf(Locale.ROOT, "decode  after %d prompt tokens, %d tokens, on %s, weights %s%n", r.promptTokens(), r.tokens(), r.backend(), r.storage());
        out.printf(Locale.ROOT, "  time to first token  %.3f s%n", r.ttftSeconds());
        out.printf(Locale.ROOT, "  decoding             %.2f tok/s%n", r.tokensPerSecond());
        out.printf(Locale.ROOT, "  bytes per token      %.1f MB weights + %.1f MB KV cache%n", r.weightBytes() / 1e6, r.kvBytes() / 1e6);
        out.printf(Locale.ROOT, "  read bandwidth       %.1f GB/s (median of %d streaming reads before and after decoding; %.1f..%.1f)%n",
                r.bandwidth().median() / 1e9, s.length, s[0] / 1e9, s[s.length - 1] / 1e9);
        double share = r.tokensPerSecond() / r.roofline();
        out.printf(Locale.ROOT, "  roofline             %.2f tok/s; achieved %.2f of it (issue 17: >= 0.85; %s)%n", r.roofline(), share,
                share >= 0.85 ? "met" : "NOT MET");
    }
}
