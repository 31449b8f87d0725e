package org.adatoken3d.kernels.backend;

import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.EngineArgumentException;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.WeightFormat;
import org.adatoken3d.kernels.WeightMatrix;

/**
 * The checks a device backend makes before it queues a kernel. A device kernel given a bad offset or length does not
 * throw: it reads or writes another tensor's memory. So every accelerator backend checks shapes and row ranges on the
 * host first, with these, and all of them refuse the same calls with the same messages.
 */
public final class DeviceArguments {
    private DeviceArguments() {}

    /** A tensor shape to allocate. */
    public static void shape(int rows, int cols) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative tensor shape " + rows + " x " + cols);
    }

    /** {@code t} is an f32 tensor; {@code ints} says whether the backend stores it as i32. */
    public static void floats(Tensor t, boolean ints) {
        if (ints) throw new IllegalArgumentException("expected an f32 tensor, got i32 " + t.rows() + " x " + t.cols());
    }

    /** {@code t} is an i32 tensor; {@code ints} says whether the backend stores it as i32. */
    public static void ints(Tensor t, boolean ints) {
        if (!ints) throw new IllegalArgumentException("expected an i32 tensor, got f32 " + t.rows() + " x " + t.cols());
    }

    /** An operation on the first {@code rows} rows of {@code t}. */
    public static void rows(Tensor t, int rows) {
        if (rows < 0 || rows > t.rows()) throw new IllegalArgumentException(rows + " rows asked of a tensor of " + t.rows());
    }

    /** A read of rows {@code [rowFrom, rowFrom + rows)} of {@code t}. */
    public static void readRange(Tensor t, int rowFrom, int rows) {
        if (rowFrom < 0 || rows < 0 || rowFrom + rows > t.rows()) {
            throw new IllegalArgumentException("rows [" + rowFrom + ", " + (rowFrom + rows) + ") are outside a tensor of " + t.rows());
        }
    }

    /** Weights a device takes: F32, F16 and BF16; the quantised formats stay on the CPU. */
    public static void deviceWeights(WeightMatrix w, String backend) {
        if (w.format() == WeightFormat.Q8_0 || w.format() == WeightFormat.Q4_0) {
            throw new EngineArgumentException("storage", w.format() + " runs on the cpu device only: the " + backend
                    + " backend takes F32, F16 and BF16 weights");
        }
    }

    /** {@code c[rows] = a[rows] · wᵀ}: both row counts and the widths against W's shape. */
    public static void gemm(Tensor a, int rows, ResidentMatrix w, Tensor c) {
        rows(a, rows);
        rows(c, rows);
        if (a.cols() != w.cols() || c.cols() != w.rows()) {
            throw new IllegalArgumentException("gemm: a is " + a.cols() + " wide and c " + c.cols() + ", W is " + w.rows() + " x " + w.cols());
        }
    }

    /** RoPE over {@code rows} rows of {@code heads} heads. */
    public static void rope(Tensor x, int rows, int heads, Rope rope) {
        rows(x, rows);
        if (x.cols() != heads * rope.headDim()) {
            throw new IllegalArgumentException("rope: rows are " + x.cols() + " wide, " + heads + " heads of " + rope.headDim() + " expected");
        }
    }

    /** Appending {@code rows} rows at {@code start} stays within the cache. */
    public static void appendKv(KvLayer cache, int start, int rows) {
        if (start < 0 || start + rows > cache.capacity()) {
            throw new IllegalStateException("KV cache rows [" + start + ", " + (start + rows) + ") exceed its capacity " + cache.capacity());
        }
    }

    /** Attention of {@code nq} query rows over {@code nk} cached keys, and the probe's rows and keys within them. */
    public static void attention(Tensor q, int nq, KvLayer cache, int nk, AttentionShape shape, ContributionProbe probe) {
        if (cache.headDim() != shape.headDim() || cache.kvHeads() != shape.kvHeads()) {
            throw new IllegalArgumentException("attention shape " + shape + " does not match the cache's " + cache.kvHeads() + " x " + cache.headDim());
        }
        if (nk < 0 || nk > cache.capacity()) throw new IllegalArgumentException("key count " + nk + " is outside [0, capacity " + cache.capacity() + "]");
        rows(q, nq);
        if (probe == null) return;
        if ((long) probe.keyStart() + probe.keyCount() > nk) {
            throw new IllegalArgumentException("probe keys [" + probe.keyStart() + ", " + ((long) probe.keyStart() + probe.keyCount())
                    + ") go past the " + nk + " cached keys");
        }
        for (int r : probe.queryRows()) {
            if (r >= nq) throw new IllegalArgumentException("probe query row " + r + " is outside the " + nq + " query rows");
        }
    }

    /** {@code dst[i] = src[rows[i]]}: every listed row exists and {@code dst} has room for them. */
    public static void gatherRows(Tensor src, int[] rows, Tensor dst) {
        rows(dst, rows.length);
        for (int r : rows) {
            if (r < 0 || r >= src.rows()) throw new IllegalArgumentException("row " + r + " is outside a tensor of " + src.rows() + " rows");
        }
    }

    /** Rows {@code [from, from + rows)} of {@code src} fit at {@code dstFrom} of {@code dst}, of the same width. */
    public static void copyRows(Tensor src, int from, int rows, Tensor dst, int dstFrom) {
        if (from < 0 || from + rows > src.rows() || dstFrom < 0 || dstFrom + rows > dst.rows() || src.cols() != dst.cols()) {
            throw new IllegalArgumentException("copyRows: rows [" + from + ", " + (from + rows) + ") of " + src.rows() + " x " + src.cols()
                    + " to row " + dstFrom + " of " + dst.rows() + " x " + dst.cols());
        }
    }
}
