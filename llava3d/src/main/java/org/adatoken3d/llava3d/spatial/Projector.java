package org.adatoken3d.llava3d.spatial;

import org.adatoken3d.kernels.Activations;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.Vectors;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.LlavaConfig;
import org.adatoken3d.weights.TensorNames;

/**
 * LLaVA's {@code mlp2x_gelu} projector from vision features to the LLM width: Linear(mm_hidden → hidden), GELU
 * (exact, erf form, as torch.nn.GELU defaults), Linear(hidden → hidden). Weights {@code model.mm_projector.{0,2}}.
 */
public final class Projector {
    private final WeightMatrix first;
    private final float[] firstBias;
    private final WeightMatrix second;
    private final float[] secondBias;

    private Projector(WeightMatrix first, float[] firstBias, WeightMatrix second, float[] secondBias) {
        this.first = first;
        this.firstBias = firstBias;
        this.second = second;
        this.secondBias = secondBias;
    }

    /** The projector of {@code checkpoint}; {@code llava} is its config's LLaVA part, or null when it has none. */
    public static Projector load(Checkpoint checkpoint, LlavaConfig llava) {
        String type = llava == null ? null : llava.mmProjectorType();
        if (type != null && !type.equals("mlp2x_gelu")) {
            throw new InvalidFileException(checkpoint.directory().resolve("config.json"),
                    "mm_projector_type " + type + " is not supported (only mlp2x_gelu)");
        }
        TensorNames.Linear in = TensorNames.PROJECTOR_IN, out = TensorNames.PROJECTOR_OUT;
        if (checkpoint.find(in.weight()).isEmpty()) {
            throw new InvalidFileException(checkpoint.directory(), "has no " + in.weight() + ": cannot project vision features");
        }
        return new Projector(
                DecoderWeights.matrix(checkpoint, in.weight(), DecoderWeights.Storage.AS_STORED),
                checkpoint.tensor(in.bias()).toFloatArray(),
                DecoderWeights.matrix(checkpoint, out.weight(), DecoderWeights.Storage.AS_STORED),
                checkpoint.tensor(out.bias()).toFloatArray());
    }

    public int inputWidth() {
        return first.cols();
    }

    public int outputWidth() {
        return second.rows();
    }

    /** Projects {@code rows} feature rows {@code [rows][inputWidth]} to {@code [rows][outputWidth]}. */
    public float[] project(float[] features, int rows) {
        float[] h = new float[Math.multiplyExact(rows, first.rows())];
        Gemm.multiply(features, rows, first, h);
        Vectors.addBias(h, rows, firstBias);
        Activations.gelu(h, h.length, GeluForm.ERF);
        float[] out = new float[Math.multiplyExact(rows, second.rows())];
        Gemm.multiply(h, rows, second, out);
        Vectors.addBias(out, rows, secondBias);
        return out;
    }
}
