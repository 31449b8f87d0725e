package org.adatoken3d.model.decoder;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * A deliberately plain double-precision LLaMA/Qwen2 forward pass, written from the Hugging Face definitions
 * (RMSNorm, rotate_half RoPE, repeat_kv, the gated MLP with SiLU or a GELU), used only to check {@link Decoder}. Rows are processed with
 * explicit positions, and an optional keep-list drops rows before layer {@code gateLayer}, so it can also check
 * that gating removes tokens from every later layer and their caches.
 */
final class NaiveDecoder {
    final int hidden, heads, kvHeads, headDim, inter, vocab, layers;
    final double eps, theta;
    final Map<String, float[]> w;
    final boolean tied;
    final DoubleUnaryOperator act;

    NaiveDecoder(int hidden, int heads, int kvHeads, int inter, int vocab, int layers, double eps, double theta, boolean tied,
            String hiddenAct, Map<String, float[]> weights) {
        this.act = activation(hiddenAct);
        this.hidden = hidden;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = hidden / heads;
        this.inter = inter;
        this.vocab = vocab;
        this.layers = layers;
        this.eps = eps;
        this.theta = theta;
        this.tied = tied;
        this.w = weights;
    }

    /**
     * Logits of every surviving row. {@code keptRows}, when not null, lists the rows (ascending) that layers
     * {@code gateLayer} and above still see.
     */
    double[][] forward(int[] ids, int gateLayer, int[] keptRows) {
        int n = ids.length;
        double[][] x = new double[n][hidden];
        float[] emb = w.get("model.embed_tokens.weight");
        for (int i = 0; i < n; i++) for (int d = 0; d < hidden; d++) x[i][d] = emb[ids[i] * hidden + d];
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) pos[i] = i;
        for (int l = 0; l < layers; l++) {
            if (keptRows != null && l == gateLayer) {
                double[][] nx = new double[keptRows.length][];
                int[] np = new int[keptRows.length];
                for (int i = 0; i < keptRows.length; i++) {
                    nx[i] = x[keptRows[i]];
                    np[i] = pos[keptRows[i]];
                }
                x = nx;
                pos = np;
            }
            x = layer(l, x, pos);
        }
        double[][] logits = new double[x.length][];
        float[] head = w.get(tied ? "model.embed_tokens.weight" : "lm_head.weight");
        for (int i = 0; i < x.length; i++) logits[i] = linear(rms(x[i], w.get("model.norm.weight")), head, null, vocab, hidden);
        return logits;
    }

    private double[][] layer(int l, double[][] x, int[] pos) {
        String p = "model.layers." + l + ".";
        int n = x.length;
        int kvw = kvHeads * headDim;
        double[][] q = new double[n][], k = new double[n][], v = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] h = rms(x[i], w.get(p + "input_layernorm.weight"));
            q[i] = rope(linear(h, w.get(p + "self_attn.q_proj.weight"), w.get(p + "self_attn.q_proj.bias"), hidden, hidden), pos[i], heads);
            k[i] = rope(linear(h, w.get(p + "self_attn.k_proj.weight"), w.get(p + "self_attn.k_proj.bias"), kvw, hidden), pos[i], kvHeads);
            v[i] = linear(h, w.get(p + "self_attn.v_proj.weight"), w.get(p + "self_attn.v_proj.bias"), kvw, hidden);
        }
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] attn = new double[hidden];
            for (int hd = 0; hd < heads; hd++) {
                int kh = hd / (heads / kvHeads);
                double[] s = new double[n];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (pos[j] > pos[i]) {
                        s[j] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += q[i][hd * headDim + d] * k[j][kh * headDim + d];
                    s[j] = dot / Math.sqrt(headDim);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j < n; j++) {
                    for (int d = 0; d < headDim; d++) attn[hd * headDim + d] += s[j] / sum * v[j][kh * headDim + d];
                }
            }
            double[] o = linear(attn, w.get(p + "self_attn.o_proj.weight"), w.get(p + "self_attn.o_proj.bias"), hidden, hidden);
            double[] r = new double[hidden];
            for (int d = 0; d < hidden; d++) r[d] = x[i][d] + o[d];
            double[] h = rms(r, w.get(p + "post_attention_layernorm.weight"));
            double[] g = linear(h, w.get(p + "mlp.gate_proj.weight"), null, inter, hidden);
            double[] u = linear(h, w.get(p + "mlp.up_proj.weight"), null, inter, hidden);
            for (int d = 0; d < inter; d++) g[d] = act.applyAsDouble(g[d]) * u[d];
            double[] down = linear(g, w.get(p + "mlp.down_proj.weight"), null, hidden, inter);
            for (int d = 0; d < hidden; d++) r[d] += down[d];
            out[i] = r;
        }
        return out;
    }

    private double[] rms(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double scale = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int d = 0; d < x.length; d++) y[d] = x[d] * scale * weight[d];
        return y;
    }

    private static double[] linear(double[] x, float[] weight, float[] bias, int out, int in) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double acc = bias == null ? 0 : bias[o];
            for (int i = 0; i < in; i++) acc += weight[o * in + i] * x[i];
            y[o] = acc;
        }
        return y;
    }

    /** rotate_half: pairs (i, i + headDim/2) within each head, angle pos / theta^(2i/headDim). */
    private double[] rope(double[] x, int pos, int nHeads) {
        double[] y = x.clone();
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double angle = pos / Math.pow(theta, 2.0 * i / headDim);
                double a = x[h * headDim + i], b = x[h * headDim + i + half];
                y[h * headDim + i] = a * Math.cos(angle) - b * Math.sin(angle);
                y[h * headDim + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return y;
    }

    /** transformers' ACT2FN, in double. */
    static DoubleUnaryOperator activation(String hiddenAct) {
        return switch (hiddenAct) {
            case "silu" -> g -> g / (1 + Math.exp(-g));
            case "gelu" -> g -> 0.5 * g * (1 + erf(g / Math.sqrt(2)));
            case "gelu_new", "gelu_pytorch_tanh" -> g -> 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
            default -> throw new IllegalArgumentException(hiddenAct);
        };
    }

    /** erf by its Maclaurin series (|x| ≤ 5: under 1e-12 absolute in double); ±1 beyond, where erf is within 2e-12 of it. */
    static double erf(double x) {
        if (Math.abs(x) > 5) return Math.signum(x);
        double term = x, sum = x;
        for (int n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
            term *= -x * x / n;
            sum += term / (2 * n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
