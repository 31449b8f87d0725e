package org.adatoken3d.kernels;

import static org.adatoken3d.kernels.Simd.F;
import static org.adatoken3d.kernels.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Rotary position embedding with explicit position ids: a row may have any position, so tokens kept after
 * pruning keep their original ones.
 *
 * <p>Precision follows Hugging Face's {@code LlamaRotaryEmbedding}, which the conformance oracle runs: there
 * {@code inv_freq = 1 / theta^(2i/d)} is an f32 tensor (exponent divided in f32, power rounded to f32, reciprocal
 * in f32) and the angle {@code position · inv_freq} is an f32 product. We compute the power in double and round
 * it (bit-identical to PyTorch 1.13's f32 {@code pow} for theta 1e4 at head sizes 64-128; for theta 1e6 one of 64
 * entries is one ulp apart, PyTorch's vectorised pow not being correctly rounded), form the angle as the same f32 product, and take cos/sin of that f32 angle in double, rounded
 * to f32 (within one f32 ulp of PyTorch's f32 cos/sin). An angle computed in double would be more accurate but
 * would differ from the reference by up to ulp(position) ≈ 2.4e-4 rad at position 4096; matching HF matters
 * more here than accuracy the model never saw in training.
 *
 * <p>cos/sin tables are precomputed per position up to the largest position seen (grown on demand, capped at
 * {@value #MAX_TABLE_POSITIONS}); larger positions are computed on the fly. Thread-safe.
 */
public final class Rope {
    /** Beyond this position, rows are rotated with angles computed on the fly instead of growing the table. */
    static final int MAX_TABLE_POSITIONS = 1 << 15;
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    private final int headDim;
    private final int half;
    private final RopeStyle style;
    private final float[] invFreq;
    private volatile Tables tables = new Tables(0, new float[0], new float[0]);

    /**
     * Tables of {@code positions × width} values. ROTATE_HALF: width d/2, cos and sin of angle i. INTERLEAVED:
     * width d, laid out per dimension so one vector op rotates pairs: cos duplicated ({@code cos_i, cos_i}), sin
     * with the pair's sign ({@code -sin_i, +sin_i}).
     */
    private record Tables(int positions, float[] cos, float[] sin) {}

    public Rope(int headDim, double theta, RopeStyle style) {
        if (headDim < 2 || headDim % 2 != 0) throw new IllegalArgumentException("RoPE head size must be even and positive, got " + headDim);
        if (!(theta > 1) || Double.isInfinite(theta)) throw new IllegalArgumentException("RoPE theta must be a finite number above 1, got " + theta);
        this.headDim = headDim;
        this.half = headDim / 2;
        this.style = style;
        this.invFreq = inverseFrequencies(headDim, theta);
    }

    /** {@code inv_freq[i] = 1 / theta^(2i/d)} rounded as Hugging Face's f32 computation rounds it. */
    static float[] inverseFrequencies(int headDim, double theta) {
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float power = (float) Math.pow((float) theta, exponent);
            inv[i] = 1f / power;
        }
        return inv;
    }

    public int headDim() {
        return headDim;
    }

    /** The f32 inverse frequencies, {@code headDim / 2} of them: what a backend needs to rotate with the same angles. */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    public RopeStyle style() {
        return style;
    }

    /**
     * Rotates x, {@code rows × (heads · headDim)} row-major, in place: every head of row r by position
     * {@code positions[r]} (≥ 0, in any order).
     */
    public void apply(float[] x, int rows, int heads, int[] positions) {
        Shapes.rows("x", x, rows, heads * headDim);
        if (positions.length < rows) throw new IllegalArgumentException("need " + rows + " positions, got " + positions.length);
        int maxPosition = -1;
        for (int r = 0; r < rows; r++) {
            if (positions[r] < 0) throw new IllegalArgumentException("position " + positions[r] + " of row " + r + " is negative");
            if (positions[r] < MAX_TABLE_POSITIONS) maxPosition = Math.max(maxPosition, positions[r]);
        }
        Tables t = tablesUpTo(maxPosition);
        int width = heads * headDim;
        Rows.forEach(rows, width, (from, to) -> {
            float[] cos = null, sin = null;
            for (int r = from; r < to; r++) {
                int p = positions[r], tableOff;
                float[] c = t.cos, s = t.sin;
                if (p < t.positions) {
                    tableOff = p * tableWidth();
                } else { // beyond the table cap: one row of angles on the fly
                    if (cos == null) {
                        cos = new float[tableWidth()];
                        sin = new float[tableWidth()];
                    }
                    fillRow(p, cos, sin, 0);
                    c = cos;
                    s = sin;
                    tableOff = 0;
                }
                for (int h = 0; h < heads; h++) rotate(x, r * width + h * headDim, c, s, tableOff);
            }
        });
    }

    private int tableWidth() {
        return style == RopeStyle.ROTATE_HALF ? half : headDim;
    }

    private void rotate(float[] x, int off, float[] cos, float[] sin, int t) {
        if (style == RopeStyle.ROTATE_HALF) {
            int i = 0;
            for (; i <= half - L; i += L) {
                FloatVector x1 = FloatVector.fromArray(F, x, off + i), x2 = FloatVector.fromArray(F, x, off + half + i);
                FloatVector c = FloatVector.fromArray(F, cos, t + i), s = FloatVector.fromArray(F, sin, t + i);
                x1.mul(c).sub(x2.mul(s)).intoArray(x, off + i);
                x2.mul(c).add(x1.mul(s)).intoArray(x, off + half + i);
            }
            for (; i < half; i++) {
                float x1 = x[off + i], x2 = x[off + half + i];
                x[off + i] = x1 * cos[t + i] - x2 * sin[t + i];
                x[off + half + i] = x2 * cos[t + i] + x1 * sin[t + i];
            }
        } else {
            int i = 0;
            for (; i <= headDim - L; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, off + i);
                v.mul(FloatVector.fromArray(F, cos, t + i))
                        .add(v.rearrange(SWAP_PAIRS).mul(FloatVector.fromArray(F, sin, t + i))).intoArray(x, off + i);
            }
            for (; i < headDim; i += 2) {
                float x1 = x[off + i], x2 = x[off + i + 1];
                x[off + i] = x1 * cos[t + i] + x2 * sin[t + i];
                x[off + i + 1] = x2 * cos[t + i + 1] + x1 * sin[t + i + 1];
            }
        }
    }

    /** cos/sin of position p into {@code cos/sin[off .. off + tableWidth())}, in the style's layout. */
    private void fillRow(int p, float[] cos, float[] sin, int off) {
        for (int i = 0; i < half; i++) {
            float angle = p * invFreq[i]; // f32 product, as HF forms it
            float c = (float) Math.cos(angle), s = (float) Math.sin(angle);
            if (style == RopeStyle.ROTATE_HALF) {
                cos[off + i] = c;
                sin[off + i] = s;
            } else {
                cos[off + 2 * i] = c;
                cos[off + 2 * i + 1] = c;
                sin[off + 2 * i] = -s;
                sin[off + 2 * i + 1] = s;
            }
        }
    }

    private Tables tablesUpTo(int maxPosition) {
        Tables t = tables;
        if (maxPosition < t.positions) return t;
        synchronized (this) {
            t = tables;
            if (maxPosition < t.positions) return t;
            int positions = Math.min(MAX_TABLE_POSITIONS, Math.max(maxPosition + 1, Math.max(2 * t.positions, 1024)));
            int w = tableWidth();
            float[] cos = java.util.Arrays.copyOf(t.cos, positions * w), sin = java.util.Arrays.copyOf(t.sin, positions * w);
            for (int p = t.positions; p < positions; p++) fillRow(p, cos, sin, p * w);
            tables = t = new Tables(positions, cos, sin);
            return t;
        }
    }
}
