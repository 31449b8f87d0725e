package org.adatoken3d.kernels.backend;

import org.adatoken3d.kernels.AttentionShape;
import org.adatoken3d.kernels.ContributionProbe;
import org.adatoken3d.kernels.GeluForm;
import org.adatoken3d.kernels.Rope;
import org.adatoken3d.kernels.WeightMatrix;

/**
 * Where a decoder layer runs: the per-layer operations of DESIGN.md §2 on tensors the backend owns. The decoder is
 * written once against this interface; the CPU backend wraps the Vector API kernels on Java arrays, an accelerator
 * backend keeps weights, activations and the KV cache in device memory, so a layer runs without the host touching
 * its data. The host writes the input embeddings and positions, and reads back only logits, hidden states when
 * asked for, and the contribution vector at the gate layer.
 *
 * <p>Operations may run asynchronously; {@link #read} returns once everything queued before it is done. Row
 * arguments ({@code rows}) say how many leading rows of each tensor take part. A backend serves one decoder
 * thread at a time.
 *
 * <p>A new backend (another accelerator API) implements this interface and a {@link BackendProvider}, and
 * registers the provider in {@code META-INF/services}; nothing above {@code kernels} changes.
 */
public interface Backend extends AutoCloseable {
    /** What it runs on, for logs and {@code devices}: e.g. {@code cpu (16 threads)}. */
    String description();

    /** A zero-filled f32 tensor. */
    Tensor allocate(int rows, int cols);

    /** A zero-filled i32 tensor of {@code length} rows and one column (token positions). */
    Tensor allocateInts(int length);

    /** Gives back a tensor's memory now rather than at {@link #close()}; the tensor is unusable afterwards. */
    void free(Tensor t);

    /** Copies {@code rows} rows of {@code src} (row-major, {@code dst.cols()} wide) into the first rows of {@code dst}. */
    void write(Tensor dst, float[] src, int rows);

    /** Copies {@code src[0 .. length)} into the first {@code length} entries of an i32 tensor. */
    void writeInts(Tensor dst, int[] src, int length);

    /** Copies rows {@code [rowFrom, rowFrom + rows)} of {@code src} into {@code dst[0 ..]}, after all queued work. */
    void read(Tensor src, int rowFrom, int rows, float[] dst);

    /** {@code w} copied to the backend once (or wrapped where it already is), to be multiplied by many times. */
    ResidentMatrix resident(WeightMatrix w);

    /** A vector (norm weight, bias) as a 1-row tensor. */
    default Tensor vector(float[] values) {
        Tensor t = allocate(1, values.length);
        write(t, values, 1);
        return t;
    }

    /** {@code out[r] = x[r] / rms(x[r]) · weight}; {@code out} may be {@code x}. */
    void rmsNorm(Tensor x, int rows, Tensor weight, float eps, Tensor out);

    /** {@code c[rows][w.rows()] = a[rows][w.cols()] · wᵀ}. */
    void gemm(Tensor a, int rows, ResidentMatrix w, Tensor c);

    /** Adds the 1-row {@code bias} to each of the first {@code rows} rows of {@code x}. */
    void addBias(Tensor x, int rows, Tensor bias);

    /** Rotates every head of row r of {@code x[rows][heads · headDim]} by position {@code positions[r]}, in place. */
    void rope(Tensor x, int rows, int heads, Rope rope, Tensor positions);

    /** {@code gate = silu(gate) · up} over the first {@code rows} rows. */
    void siluMul(Tensor gate, Tensor up, int rows);

    /** {@code gate = gelu(gate) · up} over the first {@code rows} rows, GELU in {@code form}. */
    void geluMul(Tensor gate, Tensor up, int rows, GeluForm form);

    /** {@code acc += x} over the first {@code rows} rows. */
    void add(Tensor acc, Tensor x, int rows);

    /**
     * Appends {@code rows} rows of keys and values ({@code [rows][kvHeads · headDim]}) and their positions to one
     * layer's cache at rows {@code start ..}: caches are head-major {@code [kvHeads · capacity][headDim]}, positions
     * {@code [capacity]}.
     */
    void appendKv(Tensor k, Tensor v, Tensor positions, int rows, KvLayer cache, int start);

    /**
     * Causal grouped-query attention of {@code nq} query rows (RoPE applied) at {@code qPositions} over the first
     * {@code nk} cached keys of {@code cache}; key j is visible to query i iff its position is at most the query's.
     * With a probe, returns its contribution vector (see {@link ContributionProbe#contribution()}), else null.
     */
    float[] attention(Tensor q, int nq, Tensor qPositions, KvLayer cache, int nk, AttentionShape shape, Tensor out,
                      ContributionProbe probe);

    /** {@code dst[i] = src[rows[i]]} for each listed row: the compaction after the gate. */
    void gatherRows(Tensor src, int[] rows, Tensor dst);

    /** Copies rows {@code [from, from + rows)} of {@code src} to rows {@code dstFrom ..} of {@code dst}. */
    void copyRows(Tensor src, int from, int rows, Tensor dst, int dstFrom);

    /** Frees what the backend holds (device memory, queues); its tensors are unusable afterwards. */
    @Override
    void close();
}
