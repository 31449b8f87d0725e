package org.adatoken3d.weights;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Element types a safetensors file may hold, with their on-disk names and sizes. */
public enum DType {
    F64(8, "F64", true),
    F32(4, "F32", true),
    F16(2, "F16", true),
    BF16(2, "BF16", true),
    I64(8, "I64", false),
    I32(4, "I32", false),
    I16(2, "I16", false),
    I8(1, "I8", false),
    U8(1, "U8", false),
    BOOL(1, "BOOL", false);

    private final int byteSize;
    private final String safetensorsName;
    private final boolean floatingPoint;

    DType(int byteSize, String safetensorsName, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.safetensorsName = safetensorsName;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The name used in a safetensors header ({@code "BF16"}, {@code "BOOL"}, ...). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** True for F64, F32, F16 and BF16: the types a decoder weight may be stored in. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * The dtype a safetensors header names. Throws IllegalArgumentException for a name we do not support; readers
     * turn that into an InvalidFileException naming the file.
     */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown dtype " + quoted(name) + " (supported: " + supportedNames() + ")");
    }

    /** The supported names, comma separated, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).map(DType::safetensorsName).collect(Collectors.joining(", "));
    }

    private static String quoted(String s) {
        if (s == null) return "null";
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return '"' + shown + '"';
    }
}
