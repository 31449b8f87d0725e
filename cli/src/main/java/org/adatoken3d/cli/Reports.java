package org.adatoken3d.cli;

import java.io.IOException;
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

    /** Writes into {@code folder}'s staging folder and puts it in place; the report's index.html as it is then named. */
    static Path write(Llava3d llava, String question, GatePolicy gate, List<LayerStats> layers, KeepSet keep, SpatialTokens spatial,
            Outputs.Folder folder) {
        Path html;
        try {
            html = RedundancyReport.write(new RedundancyReport.Input(llava.model().directory().getFileName().toString(), question, gate,
                    layers, keep, spatial.xyz()), folder.staging());
        } catch (IOException e) {
            throw new UserException(folder.out() + ": cannot write the report (" + Outputs.reason(e) + ")");
        }
        folder.commit();
        return folder.published(html);
    }

    /** As above into {@code dir}, replacing what it held: for the demo, whose folders are its own. */
    static Path replace(Llava3d llava, String question, GatePolicy gate, List<LayerStats> layers, KeepSet keep, SpatialTokens spatial,
            Path dir) {
        try (Outputs.Folder folder = Outputs.folder("--dir", dir, true)) {
            return write(llava, question, gate, layers, keep, spatial, folder);
        }
    }
}
