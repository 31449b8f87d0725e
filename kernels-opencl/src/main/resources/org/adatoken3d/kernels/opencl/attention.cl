// Causal grouped-query attention over a head-major KV cache by explicit positions, compiled per head size
// (HEAD_DIM) so the per-item query and accumulator rows stay in private memory.
#pragma OPENCL FP_CONTRACT OFF

// Work item (i, h): query row i, head h. One pass over the visible keys with an online softmax (running max m,
// running sum l, accumulator rescaled by e^(m_old - m_new)). m and l are kept in stats for the contribution kernel.
__kernel void attention(__global const float* q, __global const int* qPos, __global const float* kc,
                        __global const float* vc, __global const int* kPos, __global float* out,
                        __global float* stats, const int nq, const int nk, const int heads, const int group,
                        const int capacity, const float scale) {
    const int i = get_global_id(0), h = get_global_id(1);
    if (i >= nq) return;
    const int kvh = h / group;
    __global const float* qr = q + ((size_t)i * heads + h) * HEAD_DIM;
    float qs[HEAD_DIM], acc[HEAD_DIM];
    for (int d = 0; d < HEAD_DIM; d++) {
        qs[d] = qr[d] * scale;
        acc[d] = 0.0f;
    }
    const int p = qPos[i];
    float m = -INFINITY, l = 0.0f;
    __global const float* kb = kc + (size_t)kvh * capacity * HEAD_DIM;
    __global const float* vb = vc + (size_t)kvh * capacity * HEAD_DIM;
    for (int j = 0; j < nk; j++) {
        if (kPos[j] > p) continue;
        __global const float* kr = kb + (size_t)j * HEAD_DIM;
        float s = 0.0f;
        for (int d = 0; d < HEAD_DIM; d++) s += qs[d] * kr[d];
        if (s > m) {
            const float alpha = exp(m - s);
            l *= alpha;
            for (int d = 0; d < HEAD_DIM; d++) acc[d] *= alpha;
            m = s;
        }
        const float e = exp(s - m);
        l += e;
        __global const float* vr = vb + (size_t)j * HEAD_DIM;
        for (int d = 0; d < HEAD_DIM; d++) acc[d] += e * vr[d];
    }
    const float inv = l > 0.0f ? 1.0f / l : 0.0f;
    __global float* o = out + ((size_t)i * heads + h) * HEAD_DIM;
    for (int d = 0; d < HEAD_DIM; d++) o[d] = acc[d] * inv;
    stats[2 * ((size_t)i * heads + h)] = m;
    stats[2 * ((size_t)i * heads + h) + 1] = l;
}

// Work item j: the contribution of key keyStart + j, the probability it receives averaged over heads and the
// probed query rows, from scores recomputed exactly as attention computed them and that row's final m and l.
__kernel void contribution(__global const float* q, __global const int* qPos, __global const float* kc,
                           __global const int* kPos, __global const float* stats, __global const int* probeRows,
                           const int probeCount, const int keyStart, const int keyCount, const int heads,
                           const int group, const int capacity, const float scale, __global float* result) {
    const int j = get_global_id(0);
    if (j >= keyCount) return;
    const int key = keyStart + j;
    float sum = 0.0f;
    for (int h = 0; h < heads; h++) {
        __global const float* kr = kc + ((size_t)(h / group) * capacity + key) * HEAD_DIM;
        for (int t = 0; t < probeCount; t++) {
            const int i = probeRows[t];
            if (kPos[key] > qPos[i]) continue;
            __global const float* qr = q + ((size_t)i * heads + h) * HEAD_DIM;
            float s = 0.0f;
            for (int d = 0; d < HEAD_DIM; d++) {
                const float qs = qr[d] * scale;
                s += qs * kr[d];
            }
            const size_t st = 2 * ((size_t)i * heads + h);
            sum += exp(s - stats[st]) / stats[st + 1];
        }
    }
    result[j] = probeCount == 0 ? 0.0f : sum / (float)(heads * probeCount);
}
