package org.adatoken3d.kernels.opencl;

/**
 * Work-group shapes for one device, from the limits it reports. {@code gemmTile}: the edge of GEMM's square tile
 * (its work-group is tile², its local memory two tile×(tile+1) f32 arrays). {@code reductionGroup}: the work-group of
 * the row reductions (GEMV, RMSNorm), a power of two.
 */
record TileSizes(int gemmTile, int reductionGroup) {

    static TileSizes forDevice(OpenClDevice d) {
        return choose(d.maxWorkGroupSize(), Math.min(d.maxWorkItemSizes()[0], d.maxWorkItemSizes()[1]), d.localMemBytes());
    }

    /** The largest tile from 16, 8, 4, 2, 1 the work-group and local memory limits allow; reductions up to 256 wide. */
    static TileSizes choose(long maxWorkGroup, long maxItemsPerDimension, long localMemBytes) {
        int tile = 16;
        while (tile > 1 && ((long) tile * tile > maxWorkGroup || tile > maxItemsPerDimension
                || 2L * tile * (tile + 1) * Float.BYTES > localMemBytes)) {
            tile /= 2;
        }
        int group = 256;
        while (group > 1 && (group > maxWorkGroup || group > maxItemsPerDimension || (long) group * Float.BYTES > localMemBytes)) {
            group /= 2;
        }
        return new TileSizes(tile, group);
    }

    /** The build options that hand these sizes to the kernel sources. */
    String defines() {
        return "-DTS=" + gemmTile + " -DRG=" + reductionGroup;
    }
}
