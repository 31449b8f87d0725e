package org.adatoken3d.llava3d.spatial;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionEmbedding3dTest {
    @TempDir Path tmp;

    @Test
    void mlpMatchesLinearLayerNormReluLinearForAnyPoints() throws Exception {
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 5).write(tmp, b -> {});
        try (Checkpoint c = Checkpoint.open(tmp)) {
            for (String prefix : new String[] {PositionEmbedding3d.SCENE_PREFIX, PositionEmbedding3d.CLICK_PREFIX}) {
                PositionEmbedding3d mlp = PositionEmbedding3d.load(c, prefix);
                String head = prefix + ".position_embedding_head.";
                float[] w0 = c.tensor(head + "0.weight").toFloatArray(), b0 = c.tensor(head + "0.bias").toFloatArray();
                float[] g = c.tensor(head + "1.weight").toFloatArray(), beta = c.tensor(head + "1.bias").toFloatArray();
                float[] w3 = c.tensor(head + "3.weight").toFloatArray(), b3 = c.tensor(head + "3.bias").toFloatArray();
                int d = mlp.width();
                SeededCases.run("mlpMatchesLinearLayerNormReluLinear", 20, rnd -> {
                    int n = SeededCases.between(rnd, 1, 40);
                    float[] xyz = SeededCases.uniform(rnd, n * 3, 8f);
                    float[] got = mlp.embed(xyz, n);
                    for (int i = 0; i < n; i++) {
                        double[] h = new double[d];
                        double mean = 0, var = 0;
                        for (int o = 0; o < d; o++) {
                            h[o] = b0[o] + w0[o * 3] * xyz[i * 3] + w0[o * 3 + 1] * xyz[i * 3 + 1] + w0[o * 3 + 2] * xyz[i * 3 + 2];
                            mean += h[o] / d;
                        }
                        for (int o = 0; o < d; o++) var += (h[o] - mean) * (h[o] - mean) / d;
                        for (int o = 0; o < d; o++) h[o] = Math.max(0, (h[o] - mean) / Math.sqrt(var + 1e-5) * g[o] + beta[o]);
                        for (int o = 0; o < d; o++) {
                            double s = b3[o];
                            for (int e = 0; e < d; e++) s += w3[o * d + e] * h[e];
                            assertEquals(s, got[i * d + o], 1e-4 * (1 + Math.abs(s)), "point " + i + " output " + o);
                        }
                    }
                });
            }
        }
    }
}
