package org.adatoken3d.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.adatoken3d.llava3d.Llava3d;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.adatoken3d.pruning.GatePolicy;
import org.adatoken3d.pruning.KeepSet;
import org.adatoken3d.pruning.LayerStats;
import org.adatoken3d.report.RedundancyReport;

/** Writes the HTML pruning report of one question, as ask, analyze and the demo do. */
final class Reports {
    private Reports() {}

    static Path write(Llava3d llava, String question, GatePolicy gate, List<LayerStats> layers, KeepSet keep, SpatialTokens spatial,
            Path dir) {
        try {
            return RedundancyReport.write(new RedundancyReport.Input(llava.model().directory().getFileName().toString(), question, gate,
                    layers, keep, spatial.xyz()), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the report: " + e.getMessage(), e);
        }
    }
}
