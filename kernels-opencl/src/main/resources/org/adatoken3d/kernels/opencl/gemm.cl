// C[m][n] = A[m][k] . W[n][k]^T with W in its stored format, compiled once per format:
// WEIGHT_FORMAT 0 = F32, 1 = F16 (read with vload_half: no half arithmetic needed), 2 = BF16 (ushort, shifted).
// TS (GEMM work-group edge), WPT (GEMM outputs per item and dimension) and RG (GEMV reduction group, a power of
// two) are chosen per device by TileSizes.
#pragma OPENCL FP_CONTRACT OFF

#if WEIGHT_FORMAT == 0
#define wtype float
#define LOADW(w, i) ((w)[i])
#elif WEIGHT_FORMAT == 1
#define wtype half
#define LOADW(w, i) vload_half((i), (w))
#else
#define wtype ushort
#define LOADW(w, i) as_float(((uint)(w)[i]) << 16)
#endif

// One BT x BT tile of C per work-group of TS x TS items, BT = TS * WPT: each item keeps a WPT x WPT block of
// outputs in registers (rows lr + i*TS, columns lc + j*TS). A and W tiles of BT x BT are staged in local memory,
// W's transposed so the inner loop reads consecutive columns across the work-group (rows padded by one against
// bank conflicts). Each output is summed in k order.
#define BT (TS * WPT)
__kernel void gemm(__global const float* a, __global const wtype* w, __global float* c,
                   const int m, const int n, const int k) {
    const int lc = get_local_id(0), lr = get_local_id(1);
    const int colBase = get_group_id(0) * BT, rowBase = get_group_id(1) * BT;
    __local float as[BT][BT + 1];
    __local float wt[BT][BT + 1];
    float acc[WPT][WPT];
    for (int i = 0; i < WPT; i++)
        for (int j = 0; j < WPT; j++) acc[i][j] = 0.0f;
    for (int t = 0; t < k; t += BT) {
        for (int i = 0; i < WPT; i++) {
            const int rr = lr + i * TS;
            for (int j = 0; j < WPT; j++) {
                const int kk = lc + j * TS, x = t + kk;
                as[rr][kk] = (rowBase + rr < m && x < k) ? a[(size_t)(rowBase + rr) * k + x] : 0.0f;
                wt[kk][rr] = (colBase + rr < n && x < k) ? LOADW(w, (size_t)(colBase + rr) * k + x) : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < BT; kk++) {
            float wv[WPT];
            for (int j = 0; j < WPT; j++) wv[j] = wt[kk][lc + j * TS];
            for (int i = 0; i < WPT; i++) {
                const float av = as[lr + i * TS][kk];
                for (int j = 0; j < WPT; j++) acc[i][j] += av * wv[j];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < WPT; i++) {
        const int row = rowBase + lr + i * TS;
        for (int j = 0; j < WPT; j++) {
            const int col = colBase + lc + j * TS;
            if (row < m && col < n) c[(size_t)row * n + col] = acc[i][j];
        }
    }
}

// One row of A (decoding): a work-group of RG items per output, strided partial sums, then a tree in local memory.
__kernel void gemv(__global const float* a, __global const wtype* w, __global float* c, const int n, const int k) {
    const int j = get_group_id(0);
    const int lid = get_local_id(0);
    __local float part[RG];
    float s = 0.0f;
    if (j < n) {
        const size_t base = (size_t)j * k;
        for (int x = lid; x < k; x += RG) s += a[x] * LOADW(w, base + x);
    }
    part[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = RG / 2; step > 0; step >>= 1) {
        if (lid < step) part[lid] += part[lid + step];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && j < n) c[j] = part[0];
}
