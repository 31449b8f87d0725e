package org.adatoken3d.kernels.opencl;

/**
 * Work-group shapes for one device, from the limits it reports. GEMM: work-groups of {@code gemmTile²} items,
 * each computing {@code gemmWork²} outputs, so a work-group covers a square of {@link #gemmBlock()} outputs and
 * stages two {@code block × (block + 1)} f32 tiles in local memory. {@code reductionGroup}: the work-group of the
 * row reductions (GEMV, RMSNorm), a power of two.
 */
record TileSizes(int gemmTile, int gemmWork, int reductionGroup) {

    static TileSizes forDevice(OpenClDevice d) {
        return choose(d.maxWorkGroupSize(), Math.min(d.maxWorkItemSizes()[0], d.maxWorkItemSizes()[1]), d.localMemBytes(), d.cpu());
    }

    /**
     * The largest work-group edge from 16, 8, 4, 2, 1 the work-group limits allow, then the most outputs per item
     * (4, 2, 1) whose tiles fit local memory (halving the edge if even one output per item does not fit).
     * Reductions are 16 wide on CPU devices, where an OpenCL runtime maps work-items to SIMD lanes and each
     * barrier level costs a pass over the group (16: one AVX-512 vector of f32), and 64 wide elsewhere (two
     * NVIDIA warps, one AMD wavefront); less where the limits say so.
     */
    static TileSizes choose(long maxWorkGroup, long maxItemsPerDimension, long localMemBytes, boolean cpu) {
        int tile = 16;
        while (tile > 1 && ((long) tile * tile > maxWorkGroup || tile > maxItemsPerDimension)) tile /= 2;
        int work = 4;
        while (work > 1 && !fits(tile * work, localMemBytes)) work /= 2;
        while (tile > 1 && !fits(tile * work, localMemBytes)) tile /= 2;
        int group = cpu ? 16 : 64;
        while (group > 1 && (group > maxWorkGroup || group > maxItemsPerDimension || (long) group * Float.BYTES > localMemBytes)) {
            group /= 2;
        }
        return new TileSizes(tile, work, group);
    }

    private static boolean fits(int block, long localMemBytes) {
        return 2L * block * (block + 1) * Float.BYTES <= localMemBytes;
    }

    /** Outputs per work-group and dimension. */
    int gemmBlock() {
        return gemmTile * gemmWork;
    }

    /** The build options that hand these sizes to the kernel sources. */
    String defines() {
        return "-DTS=" + gemmTile + " -DWPT=" + gemmWork + " -DRG=" + reductionGroup;
    }
}
