package org.adatoken3d.cli;

import java.util.Arrays;
import java.util.stream.DoubleStream;
import org.adatoken3d.kernels.bench.KernelBench;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.KvCache;
import org.adatoken3d.model.decoder.PrefillRequest;
import org.adatoken3d.model.generation.Generation;
import org.adatoken3d.model.generation.Generator;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {"Decoding speed after a long prompt, against the memory-bandwidth roofline.",
                "",
                "Time greedy decoding after a prompt of random token ids, and compare it with the bandwidth "
                + "roofline: bytes read per token (weights + KV cache) over the machine's read bandwidth, measured in "
                + "the same run."})
final class BenchDecodeCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--prompt-tokens", defaultValue = "1470", paramLabel = "N", converter = Ranges.Tokens.class, description = "Prompt length before decoding (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--tokens", defaultValue = "32", paramLabel = "N", converter = Ranges.DecodedTokens.class,
            description = "Tokens to decode, at least 2 (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            int[] ids = BenchPrefillCommand.randomIds(promptTokens, m.config().vocabSize(), 7);
            Generator generator = new Generator(m.decoder(), null, Generator.NO_EOS);
            // Warm-up on a short prompt, so the timed run measures compiled code, not the JIT.
            generator.generate(Prompt.text(Arrays.copyOf(ids, Math.min(ids.length, 64))), PrefillRequest.textOnly(),
                    SamplingParams.greedy(), Math.max(tokens, 32), model.kvBudgetBytes(), null, null);
            // The read bandwidth of a shared host drifts with its neighbours' load: sample it right before and right
            // after the timed decode, and compare with the median of all samples.
            double[] before, after;
            Generation g;
            try (KernelBench bench = new KernelBench(1, 3, Progress::say)) {
                before = bench.readBandwidth().samples();
                g = generator.generate(Prompt.text(ids), PrefillRequest.textOnly(), SamplingParams.greedy(), tokens,
                        model.kvBudgetBytes(), null, Progress.layers("prefill", m.config().numLayers()));
                after = bench.readBandwidth().samples();
            }
            double tokPerSec = g.decodeTokensPerSecond();
            long weightBytes = m.decoder().weights().bytesPerDecodedToken();
            // Mean KV bytes read per decoded token: the cache grows by one row per step.
            long kvBytes = KvCache.bytesPerTokenPerLayer(m.config().numKvHeads(), m.config().headDim())
                    * m.config().numLayers() * (promptTokens + tokens / 2);
            double[] samples = DoubleStream.concat(Arrays.stream(before), Arrays.stream(after)).sorted().toArray();
            double bandwidth = BenchPrefillCommand.median(samples);
            double roofline = bandwidth / (weightBytes + kvBytes);
            System.out.printf("decode  after %d prompt tokens, %d tokens, on %s%n", promptTokens, tokens, m.decoder().backend().description());
            System.out.printf("  time to first token  %.3f s%n", g.prefillNanos() / 1e9);
            System.out.printf("  decoding             %.2f tok/s%n", tokPerSec);
            System.out.printf("  bytes per token      %.1f MB weights + %.1f MB KV cache%n", weightBytes / 1e6, kvBytes / 1e6);
            System.out.printf("  read bandwidth       %.1f GB/s (median of %d streaming reads before and after decoding; %.1f..%.1f)%n",
                    bandwidth / 1e9, samples.length, samples[0] / 1e9, samples[samples.length - 1] / 1e9);
            System.out.printf("  roofline             %.2f tok/s; achieved %.2f of it%n", roofline, tokPerSec / roofline);
        }
    }
}
