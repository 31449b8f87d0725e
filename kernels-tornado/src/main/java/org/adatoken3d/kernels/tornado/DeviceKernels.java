package org.adatoken3d.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The decoder's operations as TornadoVM kernels. Every kernel takes the same three device pools (f32, i32 and the
 * 16-bit weights) and two small argument arrays: {@code p} holds offsets into the pools and sizes, {@code f} the
 * float arguments. Tensors are offsets into the pools, so one compiled kernel serves every tensor, and the pools
 * stay on the device between task graphs (see {@link DevicePlan}).
 *
 * <p>Written around TornadoVM defects met on its OpenCL backend (listed in the module README): no
 * {@code Float.intBitsToFloat} (the reinterpret is unimplemented), so 16-bit weights are widened by their exponent
 * and mantissa fields times a power of two from a table; no reductions across work items, so each work item owns
 * its outputs and sums sequentially, which the tests hold against the scalar reference.
 */
final class DeviceKernels {
    private DeviceKernels() {}

    /** p: [offset, 0 for the f32 pool or 1 for the i32 pool]; one item per element. */
    static void zero(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        if (p.get(1) == 0) {
            heap.set(p.get(0) + i, 0f);
        } else {
            ints.set(p.get(0) + i, 0);
        }
    }

    /** p: [offset]; stage → f32 pool. */
    static void uploadFloats(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f,
                             FloatArray stage) {
        int i = c.globalIdx;
        heap.set(p.get(0) + i, stage.get(i));
    }

    /** p: [offset]; stage → i32 pool. */
    static void uploadInts(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f,
                           IntArray stage) {
        int i = c.globalIdx;
        ints.set(p.get(0) + i, stage.get(i));
    }

    /** p: [offset]; stage → 16-bit weight pool. */
    static void uploadHalves(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f,
                             ShortArray stage) {
        int i = c.globalIdx;
        halves.set(p.get(0) + i, stage.get(i));
    }

    /** p: [x, weight, out, dim]; f: [eps]. One item per row; out may be x. */
    static void rmsNorm(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int r = c.globalIdx;
        int dim = p.get(3);
        int x = p.get(0) + r * dim;
        int w = p.get(1);
        int out = p.get(2) + r * dim;
        float squares = 0f;
        for (int i = 0; i < dim; i++) {
            float v = heap.get(x + i);
            squares += v * v;
        }
        float inv = 1f / TornadoMath.sqrt(squares / dim + f.get(0));
        for (int i = 0; i < dim; i++) {
            heap.set(out + i, heap.get(x + i) * inv * heap.get(w + i));
        }
    }

    /** p: [a, w, c, n, k]: c[r][o] = a[r] · w[o], f32 weights. Item (o, r). */
    static void gemmF32(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int k = p.get(4);
        int a = p.get(0) + r * k;
        int w = p.get(1) + o * k;
        float s = 0f;
        for (int i = 0; i < k; i++) {
            s += heap.get(a + i) * heap.get(w + i);
        }
        heap.set(p.get(2) + r * p.get(3) + o, s);
    }

    /**
     * p: [a, w (in the 16-bit pool), c, n, k, scale table]: BF16 weights. A bf16 value is sign, 8 exponent bits and
     * 7 mantissa bits: |v| = (mantissa + 2^7 if the exponent is non-zero) · 2^(max(e, 1) − 134), exact in f32.
     */
    static void gemmBf16(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int k = p.get(4);
        int a = p.get(0) + r * k;
        int w = p.get(1) + o * k;
        int table = p.get(5);
        float s = 0f;
        for (int i = 0; i < k; i++) {
            int bits = halves.get(w + i) & 0xFFFF;
            int e = (bits >> 7) & 0xFF;
            int m = bits & 0x7F;
            if (e != 0) {
                m = m | 0x80;
            }
            float magnitude = m * heap.get(table + e);
            float v = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            s += heap.get(a + i) * v;
        }
        heap.set(p.get(2) + r * p.get(3) + o, s);
    }

    /**
     * p: [a, w (in the 16-bit pool), c, n, k, scale table]: F16 weights. An f16 value is sign, 5 exponent bits and
     * 10 mantissa bits: |v| = (mantissa + 2^10 if the exponent is non-zero) · 2^(max(e, 1) − 25), exact in f32.
     */
    static void gemmF16(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int o = c.globalIdx;
        int r = c.globalIdy;
        int k = p.get(4);
        int a = p.get(0) + r * k;
        int w = p.get(1) + o * k;
        int table = p.get(5);
        float s = 0f;
        for (int i = 0; i < k; i++) {
            int bits = halves.get(w + i) & 0xFFFF;
            int e = (bits >> 10) & 0x1F;
            int m = bits & 0x3FF;
            if (e != 0) {
                m = m | 0x400;
            }
            float magnitude = m * heap.get(table + e);
            float v = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            s += heap.get(a + i) * v;
        }
        heap.set(p.get(2) + r * p.get(3) + o, s);
    }

    /** p: [x, bias, cols]. Item (col, row). */
    static void addBias(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int col = c.globalIdx;
        int r = c.globalIdy;
        int i = p.get(0) + r * p.get(2) + col;
        heap.set(i, heap.get(i) + heap.get(p.get(1) + col));
    }

    /**
     * p: [x, positions (i32), inverse frequencies, heads, headDim, interleaved]. Item (pair i, row · heads + head).
     * The angle is the f32 product position · inv_freq; its cos and sin are taken in double and rounded to f32, as
     * the CPU backend takes them.
     */
    static void rope(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        int rh = c.globalIdy;
        int heads = p.get(3);
        int headDim = p.get(4);
        int half = headDim / 2;
        float angle = ints.get(p.get(1) + rh / heads) * heap.get(p.get(2) + i);
        float cos = (float) TornadoMath.cos((double) angle);
        float sin = (float) TornadoMath.sin((double) angle);
        int base = p.get(0) + rh * headDim;
        int a = base + i;
        int b = base + i + half;
        if (p.get(5) != 0) {
            a = base + 2 * i;
            b = base + 2 * i + 1;
        }
        float x1 = heap.get(a);
        float x2 = heap.get(b);
        heap.set(a, x1 * cos - x2 * sin);
        heap.set(b, x2 * cos + x1 * sin);
    }

    /** p: [gate, up]: gate = silu(gate) · up. One item per element. */
    static void siluMul(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        float g = heap.get(p.get(0) + i);
        heap.set(p.get(0) + i, g / (1f + TornadoMath.exp(-g)) * heap.get(p.get(1) + i));
    }

    /** p: [acc, x]: acc += x. One item per element. */
    static void add(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        int a = p.get(0) + i;
        heap.set(a, heap.get(a) + heap.get(p.get(1) + i));
    }

    /** p: [src, dst]: a contiguous copy. One item per element. */
    static void copy(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        heap.set(p.get(1) + i, heap.get(p.get(0) + i));
    }

    /** p: [src, rows (i32), dst, width]: dst[i] = src[rows[i]]. Item (x, i). */
    static void gatherRows(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int x = c.globalIdx;
        int i = c.globalIdy;
        int width = p.get(3);
        int row = ints.get(p.get(1) + i);
        heap.set(p.get(2) + i * width + x, heap.get(p.get(0) + row * width + x));
    }

    /**
     * p: [k, v, row positions (i32), key cache, value cache, cached positions (i32), kvHeads, headDim, capacity,
     * start]. Appends rows [kvHeads · headDim] to the head-major caches [kvHeads][capacity][headDim]. Item (x, row).
     */
    static void appendKv(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int x = c.globalIdx;
        int r = c.globalIdy;
        int kvHeads = p.get(6);
        int headDim = p.get(7);
        int capacity = p.get(8);
        int start = p.get(9);
        int width = kvHeads * headDim;
        int h = x / headDim;
        int d = x - h * headDim;
        int dst = (h * capacity + start + r) * headDim + d;
        heap.set(p.get(3) + dst, heap.get(p.get(0) + r * width + x));
        heap.set(p.get(4) + dst, heap.get(p.get(1) + r * width + x));
        if (x == 0) {
            ints.set(p.get(5) + start + r, ints.get(p.get(2) + r));
        }
    }

    /**
     * p: [q, query positions (i32), key cache, value cache, cached positions (i32), out, stats, nk, heads, group,
     * capacity, headDim]; f: [scale]. Item (query row i, head h): causal attention over the visible keys in two
     * passes (the running maximum m, then the sum l of e^(s − m) and the weighted values, accumulated in the
     * output row). m and l go to stats for the contribution kernel; a query that sees no key gets zeros.
     */
    static void attention(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int i = c.globalIdx;
        int h = c.globalIdy;
        int nk = p.get(7);
        int heads = p.get(8);
        int capacity = p.get(10);
        int d = p.get(11);
        int kvh = h / p.get(9);
        float scale = f.get(0);
        int q = p.get(0) + (i * heads + h) * d;
        int keys = p.get(2) + kvh * capacity * d;
        int values = p.get(3) + kvh * capacity * d;
        int kPos = p.get(4);
        int out = p.get(5) + (i * heads + h) * d;
        int position = ints.get(p.get(1) + i);
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < nk; j++) {
            if (ints.get(kPos + j) <= position) {
                float s = 0f;
                for (int x = 0; x < d; x++) {
                    s += heap.get(q + x) * scale * heap.get(keys + j * d + x);
                }
                m = TornadoMath.max(m, s);
            }
        }
        for (int x = 0; x < d; x++) {
            heap.set(out + x, 0f);
        }
        float l = 0f;
        for (int j = 0; j < nk; j++) {
            if (ints.get(kPos + j) <= position) {
                float s = 0f;
                for (int x = 0; x < d; x++) {
                    s += heap.get(q + x) * scale * heap.get(keys + j * d + x);
                }
                float e = TornadoMath.exp(s - m);
                l += e;
                for (int x = 0; x < d; x++) {
                    heap.set(out + x, heap.get(out + x) + e * heap.get(values + j * d + x));
                }
            }
        }
        float inv = 0f;
        if (l > 0f) {
            inv = 1f / l;
        }
        for (int x = 0; x < d; x++) {
            heap.set(out + x, heap.get(out + x) * inv);
        }
        int st = p.get(6) + 2 * (i * heads + h);
        heap.set(st, m);
        heap.set(st + 1, l);
    }

    /**
     * p: [q, query positions (i32), key cache, cached positions (i32), stats, probed rows (i32), probe count, key
     * start, heads, group, capacity, headDim, result]; f: [scale]. Item j: the probability key start + j receives,
     * averaged over heads and probed rows, from scores recomputed exactly as the attention kernel computed them.
     */
    static void contribution(KernelContext c, FloatArray heap, IntArray ints, ShortArray halves, IntArray p, FloatArray f) {
        int j = c.globalIdx;
        int probeCount = p.get(6);
        int key = p.get(7) + j;
        int heads = p.get(8);
        int group = p.get(9);
        int capacity = p.get(10);
        int d = p.get(11);
        float scale = f.get(0);
        int keyPosition = ints.get(p.get(3) + key);
        float sum = 0f;
        for (int h = 0; h < heads; h++) {
            int k = p.get(2) + ((h / group) * capacity + key) * d;
            for (int t = 0; t < probeCount; t++) {
                int i = ints.get(p.get(5) + t);
                if (keyPosition <= ints.get(p.get(1) + i)) {
                    int q = p.get(0) + (i * heads + h) * d;
                    float s = 0f;
                    for (int x = 0; x < d; x++) {
                        s += heap.get(q + x) * scale * heap.get(k + x);
                    }
                    int st = p.get(4) + 2 * (i * heads + h);
                    sum += TornadoMath.exp(s - heap.get(st)) / heap.get(st + 1);
                }
            }
        }
        float result = 0f;
        if (probeCount > 0) {
            result = sum / (heads * probeCount);
        }
        heap.set(p.get(12) + j, result);
    }
}
