package org.adatoken3d.conformance;

import java.nio.file.Path;
import org.adatoken3d.kernels.RopeStyle;
import org.adatoken3d.model.Model;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.conformance.ForwardRun;

/** This engine, in process. */
public final class EngineImplementation implements Implementation {
    private final RopeStyle ropeStyle;

    public EngineImplementation() {
        this(RopeStyle.ROTATE_HALF);
    }

    /** A deliberately wrong RoPE convention makes a broken engine the suite must reject. */
    public EngineImplementation(RopeStyle ropeStyle) {
        this.ropeStyle = ropeStyle;
    }

    @Override
    public void forward(Path model, Path input, Path output) {
        try (Model m = Model.open(model, DecoderWeights.Storage.AS_STORED, ropeStyle)) {
            ForwardRun.run(m, input, output, 1L << 30);
        }
    }

    @Override
    public String describe() {
        return "adatoken3d (in process" + (ropeStyle == RopeStyle.ROTATE_HALF ? ")" : ", " + ropeStyle + " RoPE)");
    }
}
