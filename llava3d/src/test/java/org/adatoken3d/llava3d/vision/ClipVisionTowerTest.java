package org.adatoken3d.llava3d.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.llava3d.synthetic.SynthPreset;
import org.adatoken3d.llava3d.synthetic.SyntheticCheckpoint;
import org.adatoken3d.testing.SeededCases;
import org.adatoken3d.weights.Checkpoint;
import org.adatoken3d.weights.DType;
import org.adatoken3d.weights.InvalidFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipVisionTowerTest {
    @TempDir Path tmp;

    @Test
    void towerMatchesANaiveTransformerForAnyShapeAndSelectLayer() {
        int[] caseNo = {0};
        SeededCases.run("towerMatchesANaiveTransformer", 30, rnd -> {
            Path dir = tmp.resolve("clip" + caseNo[0]++);
            RandomClipTower t = RandomClipTower.write(dir, rnd);
            ClipVisionConfig c = t.config;
            int select = rnd.nextBoolean() ? -1 - rnd.nextInt(c.layers() + 1) : rnd.nextInt(c.layers() + 1);
            float[] pixels = SeededCases.uniform(rnd, 3 * c.imageSize() * c.imageSize(), 2f);
            try (Checkpoint empty = Checkpoint.open(dir); ClipVisionTower tower = ClipVisionTower.locate(empty, dir, select)) {
                assertEquals(c, tower.config());
                float[] got = tower.encode(pixels);
                double[] want = naive(t, pixels, select < 0 ? c.layers() + 1 + select : select);
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 2e-4 * (1 + Math.abs(want[i])), "feature " + i);
                }
            }
        });
    }

    /** CLIPVisionModel's forward in double, straight from its definition, up to hidden_states[run], CLS dropped. */
    static double[] naive(RandomClipTower t, float[] px, int run) {
        ClipVisionConfig c = t.config;
        int h = c.hidden(), g = c.grid(), p = c.patchSize(), s = c.imageSize(), n = g * g + 1;
        double[][] x = new double[n][h];
        float[] conv = t.w("embeddings.patch_embedding.weight"), pos = t.w("embeddings.position_embedding.weight");
        for (int o = 0; o < h; o++) x[0][o] = t.w("embeddings.class_embedding")[o];
        for (int py = 0; py < g; py++) for (int pxi = 0; pxi < g; pxi++) for (int o = 0; o < h; o++) {
            double sum = 0;
            for (int ch = 0; ch < 3; ch++) for (int ky = 0; ky < p; ky++) for (int kx = 0; kx < p; kx++) {
                sum += conv[((o * 3 + ch) * p + ky) * p + kx] * px[(ch * s + py * p + ky) * s + pxi * p + kx];
            }
            x[1 + py * g + pxi][o] = sum;
        }
        for (int i = 0; i < n; i++) for (int o = 0; o < h; o++) x[i][o] += pos[i * h + o];
        x = layerNorm(x, t.w("pre_layrnorm.weight"), t.w("pre_layrnorm.bias"));
        for (int l = 0; l < run; l++) {
            String q = "encoder.layers." + l + ".";
            double[][] a = layerNorm(x, t.w(q + "layer_norm1.weight"), t.w(q + "layer_norm1.bias"));
            double[][] qs = linear(a, t.w(q + "self_attn.q_proj.weight"), t.w(q + "self_attn.q_proj.bias"), h);
            double[][] ks = linear(a, t.w(q + "self_attn.k_proj.weight"), t.w(q + "self_attn.k_proj.bias"), h);
            double[][] vs = linear(a, t.w(q + "self_attn.v_proj.weight"), t.w(q + "self_attn.v_proj.bias"), h);
            double[][] att = new double[n][h];
            int d = c.headDim();
            for (int head = 0; head < c.heads(); head++) {
                for (int i = 0; i < n; i++) {
                    double[] sc = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        for (int e = 0; e < d; e++) sc[j] += qs[i][head * d + e] * ks[j][head * d + e];
                        sc[j] /= Math.sqrt(d);
                        max = Math.max(max, sc[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < n; j++) z += sc[j] = Math.exp(sc[j] - max);
                    for (int j = 0; j < n; j++) for (int e = 0; e < d; e++) att[i][head * d + e] += sc[j] / z * vs[j][head * d + e];
                }
            }
            double[][] o = linear(att, t.w(q + "self_attn.out_proj.weight"), t.w(q + "self_attn.out_proj.bias"), h);
            for (int i = 0; i < n; i++) for (int e = 0; e < h; e++) x[i][e] += o[i][e];
            double[][] m = linear(layerNorm(x, t.w(q + "layer_norm2.weight"), t.w(q + "layer_norm2.bias")), t.w(q + "mlp.fc1.weight"),
                    t.w(q + "mlp.fc1.bias"), c.intermediate());
            for (double[] row : m) {
                for (int e = 0; e < row.length; e++) {
                    double v = row[e];
                    row[e] = c.activation() == GeluForm.QUICK ? v / (1 + Math.exp(-1.702 * v)) : 0.5 * v * (1 + erf(v / Math.sqrt(2)));
                }
            }
            double[][] f = linear(m, t.w(q + "mlp.fc2.weight"), t.w(q + "mlp.fc2.bias"), h);
            for (int i = 0; i < n; i++) for (int e = 0; e < h; e++) x[i][e] += f[i][e];
        }
        double[] out = new double[(n - 1) * h];
        for (int i = 1; i < n; i++) System.arraycopy(x[i], 0, out, (i - 1) * h, h);
        return out;
    }

    private static double[][] layerNorm(double[][] x, float[] w, float[] b) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double mean = 0, var = 0;
            for (double v : x[i]) mean += v / x[i].length;
            for (double v : x[i]) var += (v - mean) * (v - mean) / x[i].length;
            y[i] = new double[x[i].length];
            for (int e = 0; e < x[i].length; e++) y[i][e] = (x[i][e] - mean) / Math.sqrt(var + 1e-5) * w[e] + b[e];
        }
        return y;
    }

    private static double[][] linear(double[][] x, float[] w, float[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) for (int o = 0; o < out; o++) {
            double s = b[o];
            for (int e = 0; e < in; e++) s += w[o * in + e] * x[i][e];
            y[i][o] = s;
        }
        return y;
    }

    /** erf by its Maclaurin series (|x| small) or continued fraction tail; double-accurate enough for a reference. */
    private static double erf(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }

    @Test
    void syntheticCheckpointCarriesItsTowerUnderLlavasPrefix() throws Exception {
        Path dir = tmp.resolve("tiny");
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 3).write(dir, b -> {});
        try (Checkpoint ckpt = Checkpoint.open(dir); ClipVisionTower tower = ClipVisionTower.locate(ckpt, null, null)) {
            assertEquals(SynthPreset.TINY.vision, tower.config());
            assertEquals(1, tower.layersRun(), "penultimate of 2 layers");
            float[] f = tower.encode(SeededCases.uniform(new java.util.SplittableRandom(1), 3 * 336 * 336, 1.5f));
            assertEquals(576 * 64, f.length);
            for (float v : f) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void missingTowerAndBadSelectLayerAreClearErrors() throws Exception {
        Path dir = tmp.resolve("plain");
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 3).withVision(null).write(dir, b -> {});
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            InvalidFileException e = assertThrows(InvalidFileException.class, () -> ClipVisionTower.locate(ckpt, null, null));
            assertTrue(e.getMessage().contains("holds no CLIP vision tower") && e.getMessage().contains("give the vision tower's own folder"), e.getMessage());
            e = assertThrows(InvalidFileException.class, () -> ClipVisionTower.locate(ckpt, dir, null));
            assertTrue(e.getMessage().contains("no tensor vision_model.embeddings.class_embedding"), e.getMessage());
        }
        Path tiny = tmp.resolve("tiny2");
        new SyntheticCheckpoint(SynthPreset.TINY, 1, DType.F32, 3).write(tiny, b -> {});
        try (Checkpoint ckpt = Checkpoint.open(tiny)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipVisionTower.locate(ckpt, null, -4));
            assertTrue(e.getMessage().contains("outside the tower's 2 layers"), e.getMessage());
        }
    }
}
