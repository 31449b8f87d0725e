package org.adatoken3d.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file past 4 GiB, written by the streaming writer and read back through the mapped reader: int offsets
 * overflow at 2 GiB and unsigned 32-bit ones at 4 GiB, so values are checked on both sides of each boundary, and
 * the small tensors stored after the big ones have data_offsets above 2^32. Writing 4 GiB is bound by the disk:
 * about 5 to 10 seconds on the shared development VM.
 */
class LargeFileTest {
    private static final long GIB = 1L << 30;
    /** I32 element i holds i: 3.03 GiB. */
    private static final long[] RAMP_SHAPE = {776, 1024, 1024};
    /** U8, 1 GiB of 1 MiB blocks: each block is {@link #BLOCK_PATTERN} with its index stamped into its first 8 bytes. */
    private static final long[] BLOCKS_SHAPE = {1024, 1 << 20};
    private static final int BLOCK = 1 << 20;

    @TempDir Path dir;

    private static byte blockByte(long i) {
        long block = i / BLOCK;
        int at = (int) (i % BLOCK);
        return at < 8 ? (byte) (block >>> (8 * at)) : (byte) (at * 7 + 3);
    }

    private static DataWriter ramp() {
        return sink -> {
            int perChunk = 1 << 20;
            ByteBuffer buf = ByteBuffer.allocateDirect(perChunk * 4).order(ByteOrder.LITTLE_ENDIAN);
            long total = Tensor.elementCount(RAMP_SHAPE);
            for (long start = 0; start < total; start += perChunk) {
                int n = (int) Math.min(perChunk, total - start);
                buf.clear();
                int base = (int) start;
                for (int j = 0; j < n; j++) buf.putInt(j * 4, base + j);
                buf.limit(n * 4);
                sink.put(buf);
            }
        };
    }

    private static DataWriter blocks() {
        return sink -> {
            ByteBuffer block = ByteBuffer.allocateDirect(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 8; at < BLOCK; at++) block.put(at, blockByte(at));
            for (long b = 0; b < BLOCKS_SHAPE[0]; b++) {
                block.clear();
                block.putLong(0, b);
                sink.put(block);
            }
        };
    }

    @Test
    void aFileOver4GiBWrittenStreamedReadsBackThroughTheMapping() throws IOException {
        long rampBytes = Tensor.elementCount(RAMP_SHAPE) * 4;
        long blockBytes = Tensor.elementCount(BLOCKS_SHAPE);
        long needed = rampBytes + blockBytes + 64 * 1024;
        long free = Files.getFileStore(dir).getUsableSpace();
        assertTrue(free > needed + GIB, String.format("this test writes a %.2f GiB file and needs %.2f GiB free in %s,"
                + " which has %.2f GiB: free space there or point java.io.tmpdir at a larger disk",
                needed / (double) GIB, (needed + GIB) / (double) GIB, dir, free / (double) GIB));

        Path file = dir.resolve("big.safetensors");
        float[] tail = {1.5f, -2f, 3.25f};
        try {
            SafetensorsWriter.write(file, Map.of("purpose", "over 4 GiB"), List.of(
                    new TensorSource("ramp", DType.I32, RAMP_SHAPE, ramp()),
                    new TensorSource("blocks", DType.U8, BLOCKS_SHAPE, blocks()),
                    TensorSource.ofFloats("tail.f32", DType.F32, new long[] {3}, tail),
                    TensorSource.ofFloats("tail.bf16", DType.BF16, new long[] {3}, tail),
                    TensorSource.ofLongs("tail.scalar", new long[0], new long[] {-42})));
            assertTrue(Files.size(file) > 4 * GIB);

            try (SafetensorsFile f = SafetensorsFile.open(file);
                    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                assertEquals(Map.of("purpose", "over 4 GiB"), f.metadata());
                Tensor ramp = f.tensor("ramp");
                Tensor blocks = f.tensor("blocks");
                assertEquals(rampBytes, ramp.byteSize());
                long dataStart = Files.size(file) - rampBytes - blockBytes - 3 * 4 - 3 * 2 - 8;

                // Ramp elements at the start, on both sides of file offset 2^31, and at the end.
                long twoGiB = (2 * GIB - dataStart) / 4;
                for (long i : new long[] {0, 1, twoGiB - 2, twoGiB - 1, twoGiB, twoGiB + 1, ramp.elementCount() - 1}) {
                    assertEquals(i, ramp.getLong(i), "ramp[" + i + "]");
                    assertEquals(i, readAt(channel, dataStart + 4 * i, 4).getInt(), "file bytes of ramp[" + i + "]");
                }
                // Block bytes on both sides of file offset 2^32, and the last one.
                long blocksStart = dataStart + rampBytes;
                long fourGiB = 4 * GIB - blocksStart;
                for (long i : new long[] {0, 7, 8, fourGiB - 9, fourGiB - 1, fourGiB, fourGiB + 1, fourGiB + 8,
                        blocks.elementCount() - 1}) {
                    assertEquals(blockByte(i) & 0xFF, blocks.getLong(i), "blocks[" + i + "]");
                    assertEquals(blockByte(i), readAt(channel, blocksStart + i, 1).get(), "file byte of blocks[" + i + "]");
                }
                assertArrayEquals(tail, f.tensor("tail.f32").toFloatArray());
                assertArrayEquals(tail, f.tensor("tail.bf16").toFloatArray(), "these values are exact in bf16");
                assertEquals(-42, f.tensor("tail.scalar").getLong(0));
                assertEquals(0, f.tensor("tail.scalar").rank());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) throw new IOException("end of file at " + position);
        }
        return b.flip();
    }
}
