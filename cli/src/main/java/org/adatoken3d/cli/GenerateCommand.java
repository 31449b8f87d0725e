package org.adatoken3d.cli;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.adatoken3d.llava3d.Answer;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.model.generation.SamplingParams;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt, streaming it to stdout. Statistics go to stderr.")
final class GenerateCommand implements Runnable {
    @Mixin ModelOptions model;

    static final class PromptInput {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (tokenized with BOS).")
        String text;

        @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",", converter = Ranges.NonNegative.class, description = "Prompt as token ids, e.g. 1,2,3.")
        int[] ids;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptInput prompt;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N", converter = Ranges.Tokens.class,
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", converter = Ranges.NonNegativeNumber.class,
            description = "0 = greedy (default), higher = more random.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", converter = Ranges.NonNegative.class,
            description = "Sample among the k most likely tokens (0 = off, the default).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", paramLabel = "P", converter = Ranges.Share.class,
            description = "Nucleus sampling mass, above 0 and at most 1 (1 = off, the default).")
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1", paramLabel = "R", converter = Ranges.Positive.class,
            description = "Penalty for repeated tokens, above 0 (1 = off, the default).")
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when the output ends with this text (repeatable).")
    List<String> stop = List.of();

    @Option(names = "--ids", description = "Print the generated token ids, comma-separated, as the last line of stdout.")
    boolean printIds;

    @Override
    public void run() {
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            int[] ids = prompt.ids != null ? prompt.ids : m.tokenizer().encode(prompt.text, true);
            for (int id : ids) {
                if (id < 0 || id >= m.config().vocabSize()) {
                    throw new UserException("--prompt-ids " + id + " is not a token of this model (its ids are 0 to " + (m.config().vocabSize() - 1) + ")");
                }
            }
            if (ids.length == 0) throw new UserException("--prompt gives no tokens");
            SamplingParams sampling = new SamplingParams(temperature, topK, topP, repetitionPenalty, seed, stop);
            AnswerText.warnIfSynthetic(m);
            Answer a = llava.ask(Prompt.text(ids), new GatePolicy.NoPruning(), new GenerationOptions(sampling, maxTokens), piece -> {
                System.out.print(AnswerText.printable(piece));
                System.out.flush();
            }, null);
            System.out.println();
            Progress.say("prompt %d tokens, prefill %.3f s (%.1f tok/s); %s; stop: %s", ids.length, a.prefillNanos() / 1e9,
                    ids.length / (a.prefillNanos() / 1e9), generated(a), a.stop().name().toLowerCase());
            if (printIds) {
                System.out.println(Arrays.stream(a.ids()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            }
        }
    }

    /**
     * "generated N tokens, X tok/s": the first token comes with the prefill, so a decoding speed needs two or more.
     * Shared with ask's statistics.
     */
    static String generated(Answer a) {
        int n = a.ids().length;
        return n > 1 ? String.format("generated %d tokens, %.2f tok/s decoding", n, a.decodeTokensPerSecond())
                : String.format("generated %d token%s", n, n == 1 ? "" : "s");
    }
}
