package org.adatoken3d.llava3d.spatial;

import org.adatoken3d.kernels.Gemm;
import org.adatoken3d.kernels.LayerNorm;
import org.adatoken3d.kernels.Vectors;
import org.adatoken3d.kernels.WeightMatrix;
import org.adatoken3d.model.decoder.DecoderWeights;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.InvalidFileException;
import org.adatoken3d.weights.TensorNames;

/**
 * LLaVA-3D's learned 3D position embedding ({@code PositionEmbeddingLearnedMLP}): Linear(3 → d), LayerNorm(d,
 * eps 1e-5), ReLU, Linear(d → d), weights {@code <prefix>.position_embedding_head.{0,1,3}}. The scene tokens use
 * {@link #SCENE_PREFIX} (d = the vision width), the click prompt {@link #CLICK_PREFIX} (d = the LLM width).
 */
public final class PositionEmbedding3d {
    public static final String SCENE_PREFIX = TensorNames.SCENE_POSITIONS.prefix();
    public static final String CLICK_PREFIX = TensorNames.CLICK_ENCODER.prefix();
    private static final float EPS = 1e-5f;

    private final WeightMatrix first;
    private final float[] firstBias;
    private final float[] normWeight;
    private final float[] normBias;
    private final WeightMatrix second;
    private final float[] secondBias;

    private PositionEmbedding3d(WeightMatrix first, float[] firstBias, float[] normWeight, float[] normBias, WeightMatrix second,
            float[] secondBias) {
        this.first = first;
        this.firstBias = firstBias;
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.second = second;
        this.secondBias = secondBias;
    }

    public static PositionEmbedding3d load(Checkpoint checkpoint, String prefix) {
        TensorNames.PositionMlp n = new TensorNames.PositionMlp(prefix);
        if (checkpoint.find(n.first().weight()).isEmpty()) {
            throw new InvalidFileException(checkpoint.directory(), "has no " + n.first().weight() + ": cannot embed 3D positions");
        }
        WeightMatrix first = DecoderWeights.matrix(checkpoint, n.first().weight(), DecoderWeights.Storage.AS_STORED);
        WeightMatrix second = DecoderWeights.matrix(checkpoint, n.second().weight(), DecoderWeights.Storage.AS_STORED);
        int d = first.rows();
        if (first.cols() != 3 || second.rows() != d || second.cols() != d) {
            throw new InvalidFileException(checkpoint.directory(), prefix + ".position_embedding_head.{0,3}.weight are " + first
                    + " and " + second + "; expected [d, 3] and [d, d]");
        }
        return new PositionEmbedding3d(first, vector(checkpoint, n.first().bias(), d), vector(checkpoint, n.norm().weight(), d),
                vector(checkpoint, n.norm().bias(), d), second, vector(checkpoint, n.second().bias(), d));
    }

    private static float[] vector(Checkpoint checkpoint, String name, int d) {
        var t = checkpoint.tensor(name);
        if (t.rank() != 1 || t.dim(0) != d) throw new InvalidFileException(t.file(), "tensor " + name + " has shape " + t.shapeString() + ", expected [" + d + "]");
        return t.toFloatArray();
    }

    public int width() {
        return first.rows();
    }

    /** Embeds {@code rows} positions {@code [rows][3]} into {@code [rows][width]}. */
    public float[] embed(float[] xyz, int rows) {
        int d = width();
        float[] h = new float[Math.multiplyExact(rows, d)];
        Gemm.multiply(xyz, rows, first, h);
        Vectors.addBias(h, rows, firstBias);
        LayerNorm.apply(h, rows, d, normWeight, normBias, EPS, h);
        for (int i = 0; i < h.length; i++) h[i] = Math.max(h[i], 0f);
        float[] out = new float[h.length];
        Gemm.multiply(h, rows, second, out);
        Vectors.addBias(out, rows, secondBias);
        return out;
    }
}
