package org.adatoken3d.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adatoken3d.evaluation.calibration.GreedyAgreement;
import org.adatoken3d.evaluation.qa.QaQuestion;
import org.adatoken3d.evaluation.qa.QaRun;
import org.adatoken3d.evaluation.qa.QuestionSet;
import org.adatoken3d.llava3d.GenerationOptions;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.Calibration;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.PruningProfile;
import org.adatoken3d.pruning.QuerySet;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Attention pattern mining: choose the gate layer and tau, write a pruning profile.",
                "",
                "Runs a few inputs unpruned, records per-layer spatial share S^l, redundancy R^l(0.05) and rank "
                + "stability, chooses the gate layer K and tau for a FLOPs or an agreement target, and writes the "
                + "profile (use it with --prune auto)."})
final class CalibrateCommand implements Runnable {
    @Mixin ModelOptions model;

    static final class Inputs {
        @Option(names = "--inputs", required = true, arity = "1..*", paramLabel = "FILE", description = "Spatial token files (as for ask --spatial).")
        List<Path> files;

        @Option(names = "--questions", required = true, paramLabel = "FILE.json",
                description = "Spatial-QA questions (as for eval): every question, about its own scene, is one input.")
        Path questions;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Inputs inputs;

    @Option(names = "--question", defaultValue = "Describe the room.", description = "Question asked with every --inputs file (default: ${DEFAULT-VALUE}).")
    String question;

    @Option(names = "--query", defaultValue = "last", description = "Query rows: last | instruction (default: ${DEFAULT-VALUE}).")
    String query;

    static final class Target {
        @Option(names = "--target-flops", paramLabel = "SAVING", converter = Ranges.Share.class,
                description = "Prefill FLOPs saving to reach, above 0 and at most 1, e.g. 0.63.")
        Double flops;

        @Option(names = "--target-agreement", paramLabel = "FRACTION", converter = Ranges.Share.class,
                description = "Greedy agreement with unpruned answers to keep, above 0 and at most 1, e.g. 0.99.")
        Double agreement;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Target target;

    @Option(names = "--agreement-tokens", defaultValue = "16", paramLabel = "N", converter = Ranges.Tokens.class,
            description = "Greedy tokens compared per input (default: ${DEFAULT-VALUE}).")
    int agreementTokens;

    @Option(names = "--out", required = true, paramLabel = "PROFILE.json",
            description = "Where the profile goes, e.g. the model folder's adatoken-profile.json, which --prune auto reads (its folder "
                    + "must exist; a file there is replaced, keeping its mode).")
    Path out;

    private List<Prompt> prompts(Llava3d llava) {
        List<Prompt> prompts = new ArrayList<>();
        if (inputs.files != null) {
            for (Path input : inputs.files) prompts.add(llava.prompt(llava.spatialTokens(input), question));
        } else {
            QuestionSet questions = QuestionSet.read(inputs.questions);
            QaRun run = new QaRun(llava, questions.readScenes());
            for (QaQuestion qa : questions.questions()) prompts.add(llava.prompt(run.scene(qa.scene()), qa.question()));
        }
        return prompts;
    }

    private static int[] greedy(Llava3d llava, Prompt prompt, GatePolicy gate, int tokens) {
        return llava.ask(prompt, gate, GenerationOptions.exactly(tokens), null, null).ids();
    }

    @Override
    public void run() {
        QuerySet q = QuerySet.parse(query);
        if (inputs.files != null) inputs.files.forEach(f -> Outputs.existingFile("--inputs", f));
        if (inputs.questions != null) Outputs.existingFile("--questions", inputs.questions);
        // Before an hour of measuring, not after it.
        List<Path> read = new ArrayList<>(inputs.files != null ? inputs.files : List.of(inputs.questions));
        Outputs.checkFile("--out", out, read.toArray(Path[]::new));
        try (Llava3d llava = model.open()) {
            Model m = llava.model();
            List<Prompt> prompts = prompts(llava);
            List<CalibrationSample> samples = new ArrayList<>();
            for (Prompt p : prompts) {
                samples.add(llava.measure(p, q));
                Progress.say("calibrate: measured input %d (%d spatial tokens)", samples.size(), p.spatial().count());
            }
            Calibration calibration = new Calibration(m.directory().getFileName().toString(), m.config().family().name(),
                    m.decoderShape(), q, samples);
            PruningProfile profile;
            if (target.flops != null) {
                profile = calibration.targetFlops(target.flops);
            } else {
                List<int[]> reference = new ArrayList<>();
                for (Prompt p : prompts) reference.add(greedy(llava, p, new GatePolicy.NoPruning(), agreementTokens));
                profile = calibration.targetAgreement(target.agreement, gate -> {
                    double sum = 0;
                    for (int i = 0; i < prompts.size(); i++) sum += GreedyAgreement.of(reference.get(i), greedy(llava, prompts.get(i), gate, agreementTokens));
                    return sum / prompts.size();
                });
            }
            Outputs.writeFile("--out", out, profile::save);
            ProfilePrinter.print(profile);
            System.out.println("wrote " + out);
        }
    }
}
