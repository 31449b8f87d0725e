// C[m][n] = A[m][k] . W[n][k]^T with W in its stored format, compiled once per format:
// WEIGHT_FORMAT 0 = F32, 1 = F16 (read with vload_half: no half arithmetic needed), 2 = BF16 (ushort, shifted).
// TS (GEMM tile edge) and RG (GEMV reduction group, a power of two) are chosen per device by TileSizes.
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

// One TS x TS tile of C per work-group; A and W tiles staged in local memory, W's transposed so that the inner
// loop reads consecutive columns across the work-group (padded by one against bank conflicts).
__kernel void gemm(__global const float* a, __global const wtype* w, __global float* c,
                   const int m, const int n, const int k) {
    const int lc = get_local_id(0), lr = get_local_id(1);
    const int col = get_group_id(0) * TS + lc;
    const int row = get_group_id(1) * TS + lr;
    const int wrow = get_group_id(0) * TS + lr;
    __local float as[TS][TS + 1];
    __local float wt[TS][TS + 1];
    float acc = 0.0f;
    for (int t = 0; t < k; t += TS) {
        const int x = t + lc;
        as[lr][lc] = (row < m && x < k) ? a[(size_t)row * k + x] : 0.0f;
        wt[lc][lr] = (wrow < n && x < k) ? LOADW(w, (size_t)wrow * k + x) : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int i = 0; i < TS; i++) acc += as[lr][i] * wt[i][lc];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < m && col < n) c[(size_t)row * n + col] = acc;
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
