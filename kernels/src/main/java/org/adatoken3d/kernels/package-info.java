/**
 * CPU compute primitives of the decoder on the JDK Vector API (DESIGN.md §4, §5), each with a plain scalar twin
 * in {@code org.adatoken3d.kernels.reference} that the property tests hold it against.
 *
 * <ul>
 *   <li>{@link org.adatoken3d.kernels.WeightMatrix}: a weight matrix in its stored format (F32, F16, BF16 read
 *       in place from a mapped checkpoint; Q8_0 quantised at load; Q4_0 quantised at load or mapped from its two
 *       tensors, {@link org.adatoken3d.kernels.Q4Weights}) and embedding lookup ({@code row}).
 *   <li>{@link org.adatoken3d.kernels.Gemm}: linear layers, packed register-blocked GEMM for prefill with its tile
 *       and cache blocks derived from this machine's vector registers and cache sizes ({@code GemmPlan},
 *       overridden by {@code -Dadatoken3d.gemm}), a bandwidth-bound GEMV for decoding.
 *   <li>{@link org.adatoken3d.kernels.Attention}: flash-style causal attention by explicit positions, grouped-query,
 *       over a KV cache, with the contribution scores of DESIGN.md §2.1 ({@link org.adatoken3d.kernels.ContributionProbe}).
 *   <li>{@link org.adatoken3d.kernels.RmsNorm}, {@link org.adatoken3d.kernels.LayerNorm},
 *       {@link org.adatoken3d.kernels.Rope}, {@link org.adatoken3d.kernels.Softmax},
 *       {@link org.adatoken3d.kernels.Activations}, {@link org.adatoken3d.kernels.Vectors}: the rest of a layer.
 *   <li>{@link org.adatoken3d.kernels.Parallel}: the one persistent worker pool they all split their work over.
 * </ul>
 *
 * <p>Results do not depend on the thread count or on how warm the JIT is: every output's summation order is fixed
 * by the problem's shape, and the one transcendental function used ({@code Exp}) is built from IEEE-exact
 * operations. The vector width is the CPU's preferred one unless {@code -Dadatoken3d.vector.bits=128|256|512} names
 * another; the tests run at 256 and 512 bits whatever the machine. {@code ./adatoken3d bench kernels} times them
 * against OpenBLAS.
 */
package org.adatoken3d.kernels;
