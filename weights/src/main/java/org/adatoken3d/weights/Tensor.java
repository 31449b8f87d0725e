package org.adatoken3d.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file: a read-only view of its bytes in the mapped file, never a copy. Elements are
 * little-endian in C (row-major) order. The view dies with the {@link SafetensorsFile} that made it.
 *
 * @param data exactly the tensor's bytes: {@code elementCount() * dtype.byteSize()} of them
 * @param file the file it lives in (for error messages and the shard column of {@code inspect})
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data, Path file) {
    // Tensors start wherever the header ends, so no alignment can be assumed.
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        long bytes = Math.multiplyExact(elementCount(shape), dtype.byteSize());
        if (bytes != data.byteSize()) {
            throw new IllegalArgumentException("tensor " + name + ": shape " + shapeString(shape) + " of " + dtype
                    + " needs " + bytes + " bytes, the data holds " + data.byteSize());
        }
    }

    /** A copy: the shape of a tensor cannot be changed through it. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return data.byteSize() / dtype.byteSize();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long byteSize() {
        return data.byteSize();
    }

    /** Element {@code index} (flat, C order) as a float: exact for F32/F16/BF16, rounded for F64 and integers. */
    public float getFloat(long index) {
        long i = Objects.checkIndex(index, elementCount());
        return switch (dtype) {
            case F32 -> data.get(F32, i * 4);
            case BF16 -> Halfs.bf16ToFloat(data.get(I16, i * 2));
            case F16 -> Halfs.f16ToFloat(data.get(I16, i * 2));
            case F64 -> (float) data.get(F64, i * 8);
            case I64, I32, I16, I8, U8, BOOL -> (float) getLong(i);
        };
    }

    /** Element {@code index} of an integer or BOOL tensor (U8 unsigned, BOOL 0 or 1). */
    public long getLong(long index) {
        long i = Objects.checkIndex(index, elementCount());
        return switch (dtype) {
            case I64 -> data.get(I64, i * 8);
            case I32 -> data.get(I32, i * 4);
            case I16 -> data.get(I16, i * 2);
            case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
            case U8 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
            case F64, F32, F16, BF16 -> throw new UnsupportedOperationException(
                    "tensor " + name + " is " + dtype + ", not an integer type; use getFloat");
        };
    }

    /** All elements as floats, for small tensors (norms, biases, test data). */
    public float[] toFloatArray() {
        long n = elementCount();
        if (n > MAX_ARRAY) {
            throw new IllegalStateException("tensor " + name + " has " + n + " elements, too many for one float[];"
                    + " read it through data()");
        }
        float[] out = new float[(int) n];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        }
        return out;
    }

    /** Like {@code [4096, 11008]}; {@code []} for a scalar. */
    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(long[] shape) {
        return Arrays.toString(shape);
    }

    /** Product of the dims (1 for a scalar); ArithmeticException if it does not fit a long. */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data.equals(t.data) && Objects.equals(file, t.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), data, file);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString() + (file == null ? "" : " in " + file.getFileName());
    }
}
