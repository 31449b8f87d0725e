package org.adatoken3d.weights;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A tensor to be written: its header entry and a {@link DataWriter} that produces its bytes when the writer gets to
 * it. The factories cover in-memory arrays and copies of mapped tensors.
 */
public record TensorSource(String name, DType dtype, long[] shape, DataWriter writer) {
    private static final int CHUNK_ELEMENTS = 1 << 16;

    public TensorSource {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(writer, "writer");
        shape = shape.clone();
        Tensor.elementCount(shape); // rejects negative dims and overflow now rather than mid-write
        Math.multiplyExact(Tensor.elementCount(shape), dtype.byteSize());
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return Tensor.elementCount(shape);
    }

    /** Bytes the writer must produce. */
    public long byteSize() {
        return elementCount() * dtype.byteSize();
    }

    /** Floats stored as F32, F16 or BF16 (rounded to nearest even). */
    public static TensorSource ofFloats(String name, DType dtype, long[] shape, float[] values) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("ofFloats stores F32, F16 or BF16, not " + dtype);
        }
        checkLength(name, shape, values.length);
        return new TensorSource(name, dtype, shape, sink -> {
            ByteBuffer buf = chunk(CHUNK_ELEMENTS * dtype.byteSize());
            for (int start = 0; start < values.length; start += CHUNK_ELEMENTS) {
                int end = Math.min(values.length, start + CHUNK_ELEMENTS);
                buf.clear();
                for (int i = start; i < end; i++) {
                    switch (dtype) {
                        case F32 -> buf.putFloat(values[i]);
                        case BF16 -> buf.putShort(Halfs.floatToBf16(values[i]));
                        default -> buf.putShort(Halfs.floatToF16(values[i]));
                    }
                }
                sink.put(buf.flip());
            }
        });
    }

    /** Ints stored as I32. */
    public static TensorSource ofInts(String name, long[] shape, int[] values) {
        checkLength(name, shape, values.length);
        return new TensorSource(name, DType.I32, shape, sink -> {
            ByteBuffer buf = chunk(CHUNK_ELEMENTS * 4);
            for (int start = 0; start < values.length; start += CHUNK_ELEMENTS) {
                buf.clear();
                buf.asIntBuffer().put(values, start, Math.min(CHUNK_ELEMENTS, values.length - start));
                buf.limit(Math.min(CHUNK_ELEMENTS, values.length - start) * 4);
                sink.put(buf);
            }
        });
    }

    /** Longs stored as I64. */
    public static TensorSource ofLongs(String name, long[] shape, long[] values) {
        checkLength(name, shape, values.length);
        return new TensorSource(name, DType.I64, shape, sink -> {
            ByteBuffer buf = chunk(CHUNK_ELEMENTS * 8);
            for (int start = 0; start < values.length; start += CHUNK_ELEMENTS) {
                buf.clear();
                buf.asLongBuffer().put(values, start, Math.min(CHUNK_ELEMENTS, values.length - start));
                buf.limit(Math.min(CHUNK_ELEMENTS, values.length - start) * 8);
                sink.put(buf);
            }
        });
    }

    /** Raw little-endian bytes of any dtype, taken as they are. */
    public static TensorSource ofBytes(String name, DType dtype, long[] shape, byte[] littleEndianBytes) {
        long expected = Math.multiplyExact(Tensor.elementCount(shape), dtype.byteSize());
        if (expected != littleEndianBytes.length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Tensor.shapeString(shape) + " of "
                    + dtype + " needs " + expected + " bytes, got " + littleEndianBytes.length);
        }
        byte[] copy = littleEndianBytes.clone();
        return new TensorSource(name, dtype, shape, sink -> sink.put(ByteBuffer.wrap(copy)));
    }

    /** The same tensor under the same name, copied byte for byte (re-sharding, converting checkpoints). */
    public static TensorSource copyOf(Tensor tensor) {
        MemorySegment data = tensor.data();
        return new TensorSource(tensor.name(), tensor.dtype(), tensor.shape(), sink -> sink.put(data));
    }

    private static void checkLength(String name, long[] shape, int length) {
        long expected = Tensor.elementCount(shape);
        if (expected != length) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + Tensor.shapeString(shape) + " has "
                    + expected + " elements, got " + length + " values");
        }
    }

    private static ByteBuffer chunk(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
