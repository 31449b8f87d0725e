// The element-wise and row-wise operations of a decoder layer. RG: reduction group size (a power of two).
#pragma OPENCL FP_CONTRACT OFF
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

// One work-group per row: sum of squares reduced in local memory, then the scaled row. out may be x.
__kernel void rms_norm(__global const float* x, __global const float* weight, __global float* out,
                       const int dim, const float eps) {
    const int r = get_group_id(0);
    const int lid = get_local_id(0);
    __local float part[RG];
    __global const float* row = x + (size_t)r * dim;
    float s = 0.0f;
    for (int i = lid; i < dim; i += RG) {
        const float v = row[i];
        s += v * v;
    }
    part[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = RG / 2; step > 0; step >>= 1) {
        if (lid < step) part[lid] += part[lid + step];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float inv = 1.0f / sqrt(part[0] / (float)dim + eps);
    __global float* o = out + (size_t)r * dim;
    for (int i = lid; i < dim; i += RG) o[i] = row[i] * inv * weight[i];
}

__kernel void add_bias(__global float* x, __global const float* bias, const int cols) {
    const int c = get_global_id(0), r = get_global_id(1);
    x[(size_t)r * cols + c] += bias[c];
}

__kernel void add(__global float* acc, __global const float* x) {
    const size_t i = get_global_id(0);
    acc[i] += x[i];
}

__kernel void silu_mul(__global float* gate, __global const float* up) {
    const size_t i = get_global_id(0);
    const float g = gate[i];
    gate[i] = g / (1.0f + exp(-g)) * up[i];
}

// form is GeluForm's ordinal: 0 ERF (exact), 1 TANH (as the CPU writes it, x * sigmoid(2*sqrt(2/pi)*(x + 0.044715x^3))),
// 2 QUICK (x * sigmoid(1.702x)).
__kernel void gelu_mul(__global float* gate, __global const float* up, const int form) {
    const size_t i = get_global_id(0);
    const float g = gate[i];
    const float s = 0.7978845608f; // sqrt(2/pi)
    float y;
    if (form == 0) y = 0.5f * g * (1.0f + erf(g * 0.70710678f));
    else if (form == 1) y = g / (1.0f + exp((g * g * (-2.0f * 0.044715f * s) - 2.0f * s) * g));
    else y = g / (1.0f + exp(-1.702f * g));
    gate[i] = y * up[i];
}

// RoPE with explicit positions. The angle is the f32 product position * inv_freq, as Hugging Face forms it; its
// cos/sin are taken in double where the device has it and rounded to f32, as the CPU backend takes them.
// Work item (i, row * heads + head) rotates pair i of one head.
__kernel void rope(__global float* x, __global const int* pos, __global const float* invFreq,
                   const int heads, const int headDim, const int interleaved) {
    const int i = get_global_id(0);
    const int rh = get_global_id(1);
    const int half_ = headDim / 2;
    const float angle = (float)pos[rh / heads] * invFreq[i];
#ifdef cl_khr_fp64
    const float c = (float)cos((double)angle), s = (float)sin((double)angle);
#else
    const float c = cos(angle), s = sin(angle);
#endif
    __global float* h = x + (size_t)rh * headDim;
    const int a = interleaved ? 2 * i : i;
    const int b = interleaved ? 2 * i + 1 : i + half_;
    const float x1 = h[a], x2 = h[b];
    h[a] = x1 * c - x2 * s;
    h[b] = x2 * c + x1 * s;
}

// Appends rows [kvHeads * headDim] to a head-major cache [kvHeads][capacity][headDim] at row `start`.
__kernel void kv_append(__global const float* k, __global const float* v, __global const int* rowPos,
                        __global float* kc, __global float* vc, __global int* kPos,
                        const int kvHeads, const int headDim, const int capacity, const int start) {
    const int x = get_global_id(0), r = get_global_id(1);
    const int width = kvHeads * headDim;
    const int h = x / headDim, d = x - h * headDim;
    const size_t dst = ((size_t)h * capacity + start + r) * headDim + d;
    kc[dst] = k[(size_t)r * width + x];
    vc[dst] = v[(size_t)r * width + x];
    if (x == 0) kPos[start + r] = rowPos[r];
}

// dst[i] = src[rows[i]]: the residual stream's compaction after the AdaToken gate.
__kernel void gather_rows(__global const float* src, __global const int* rows, __global float* dst, const int width) {
    const int x = get_global_id(0), i = get_global_id(1);
    dst[(size_t)i * width + x] = src[(size_t)rows[i] * width + x];
}
