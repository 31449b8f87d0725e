package org.adatoken3d.cli;

import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.model.generation.Prompt;
import org.adatoken3d.pruning.CalibrationSample;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.pruning.PruneSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Per-layer spatial contribution analysis of one input, with an HTML report.",
                "",
                "Spatial contribution analysis of one input, unpruned: per-layer spatial share S^l and redundancy "
                + "R^l(tau) (the largest fraction of spatial tokens that together hold at most tau of the contribution), "
                + "and an offline HTML report with plots and, when xyz is known, a 3D scatter of kept and pruned tokens."})
final class AnalyzeCommand implements Runnable {
    @Mixin ModelOptions model;

    @Option(names = "--spatial", required = true, paramLabel = "FILE.safetensors",
            description = "Spatial tokens: 'embeds' [N, hidden] or 'features' [N, mm_hidden], optionally 'xyz' [N, 3] (as for ask --spatial).")
    Path spatialFile;

    @Option(names = "--question", required = true, paramLabel = "TEXT", description = "The question the contribution is measured for.")
    String question;

    @Option(names = "--prune", paramLabel = "POLICY",
            description = "The gate whose keep-set the report shows, as for ask (default: " + PruneOptions.DEFAULT_TEXT + ").")
    String prune;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Pruning profile for --prune auto (default: the model folder's adatoken-profile.json); an error with any other --prune.")
    Path profile;

    @Option(names = "--tau", defaultValue = "0.05", converter = Ranges.Share.class,
            description = "tau of the redundancy column, above 0 and at most 1 (default: ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--out", required = true, paramLabel = "REPORT_DIR",
            description = "Folder for the report, index.html and layers.csv (created; it must be empty unless --force).")
    Path out;

    @Option(names = "--force", description = "Replace what the --out folder holds.")
    boolean force;

    @Override
    public void run() {
        Outputs.existingFile("--spatial", spatialFile);
        try (Outputs.Folder folder = Outputs.folder("--out", out, force, model.model, spatialFile, profile);
             Llava3d llava = model.open()) {
            GatePolicy gate = PruneOptions.policy(llava, prune, profile);
            SpatialTokens spatial = llava.spatialTokens(spatialFile);
            Prompt prompt = llava.prompt(spatial, question);
            CalibrationSample sample = llava.measure(prompt, gate.query());
            List<LayerStats> layers = sample.layers();
            System.out.printf("%d spatial tokens in a %d-token prompt; query %s%n", spatial.count(), prompt.ids().length, gate.query().spec());
            System.out.printf("layer  spatial share S  R(%.2f)  tokens holding < %.0f%% of the contribution%n", tau, 100 * tau);
            for (LayerStats l : layers) {
                double r = l.redundancy(tau);
                System.out.printf("%5d  %15.4f  %7.3f  %d of %d%n", l.layer(), l.spatialShare(), r, Math.round(r * l.size()), l.size());
            }
            double mean = layers.stream().mapToDouble(l -> l.redundancy(tau)).average().orElse(0);
            System.out.printf("mean over layers: %.1f%% of spatial tokens together hold at most %.0f%% of the contribution%n", 100 * mean, 100 * tau);
            KeepSet keep = gate.gates() ? gate.keepSet(layers.get(Math.min(gate.layer() - 1, layers.size() - 1)).contribution())
                    : KeepSet.all(spatial.count());
            System.out.printf("%s would keep %d of %d spatial tokens%n", PruneSpec.format(gate), keep.keptCount(), keep.total());
            Path html = Reports.write(llava, question, gate, layers, keep, spatial, folder);
            System.out.println("report: " + html.toAbsolutePath());
        }
    }
}
