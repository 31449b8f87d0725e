package org.adatoken3d.cli;

import org.adatoken3d.bench.DecodeBench;
import org.adatoken3d.llava3d.Llava3d;
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
            DecodeBench.print(DecodeBench.run(llava, promptTokens, tokens, model.kvBudgetBytes(), CliProgress.STDERR), System.out);
        }
    }
}
