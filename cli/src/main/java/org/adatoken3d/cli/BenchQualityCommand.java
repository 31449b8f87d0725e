package org.adatoken3d.cli;

import org.adatoken3d.bench.QualityBench;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.decoder.SpatialBlock;
import org.adatoken3d.pruning.QuerySet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "quality", mixinStandardHelpOptions = true,
        description = {"Pruning quality on a trained model: AdaToken vs FastV ranking vs random.",
                "",
                "Pruning quality on a trained text model: seeded sampled stories become prompts whose middle span "
                + "is treated as the prunable block. AdaToken (gate layer from calibration on other stories, dynamic tau "
                + "budget), FastV-style ranking (K=2, last token) and random, at the same per-input budget, are compared "
                + "with the unpruned model: mean KL of next-token distributions along the unpruned greedy continuation "
                + "(teacher-forced), top-1 agreement there, and agreement of the greedy continuations themselves."})
final class BenchQualityCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--stories", defaultValue = "24", paramLabel = "N", converter = Ranges.Count.class, description = "Evaluation prompts (default: ${DEFAULT-VALUE}).")
    int stories;

    @Option(names = "--calibration-stories", defaultValue = "8", paramLabel = "N", converter = Ranges.Count.class, description = "Prompts used to choose the gate layer (default: ${DEFAULT-VALUE}).")
    int calibrationStories;

    @Option(names = "--story-tokens", defaultValue = "200", paramLabel = "N", converter = Ranges.Tokens.class, description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
    int storyTokens;

    @Option(names = "--span", defaultValue = "16:160", description = "The prunable block START:END in prompt tokens (default: ${DEFAULT-VALUE}).")
    String span;

    @Option(names = "--tokens", defaultValue = "24", paramLabel = "N", converter = Ranges.Tokens.class, description = "Continuation tokens compared (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--query", defaultValue = "instruction", description = "AdaToken's query rows: instruction (every token after the block) | last (default: ${DEFAULT-VALUE}).")
    String query;

    @Option(names = "--taus", defaultValue = "0.001,0.01,0.05,0.1,0.2", split = ",", paramLabel = "T", converter = Ranges.Share.class, description = "AdaToken tau values (default: ${DEFAULT-VALUE}).")
    double[] taus;

    @Override
    public void run() {
        String[] se = span.split(":", -1);
        int start, end;
        try {
            if (se.length != 2) throw new NumberFormatException();
            start = Integer.parseInt(se[0].strip());
            end = Integer.parseInt(se[1].strip());
        } catch (NumberFormatException e) {
            throw new UserException("--span must be START:END in prompt tokens, e.g. 16:160, got " + span);
        }
        if (start < 1 || end <= start) throw new UserException("--span must have 1 <= START < END (token 0 is BOS), got " + span);
        SpatialBlock block = new SpatialBlock(start, end - start);
        if (block.end() >= storyTokens) throw new UserException("--span must end before --story-tokens");
        QuerySet q = QuerySet.parse(query);
        try (Llava3d llava = model.open()) {
            new QualityBench(stories, calibrationStories, storyTokens, block, tokens, q, taus, model.kvBudgetBytes()).run(llava, System.out);
        }
    }
}
