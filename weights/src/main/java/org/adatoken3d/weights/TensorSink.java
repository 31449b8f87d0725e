package org.adatoken3d.weights;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** Where a {@link DataWriter} puts a tensor's bytes: little-endian, C order, exactly the declared count. */
public interface TensorSink {
    /** Writes all remaining bytes of {@code bytes} and advances its position to its limit. */
    void put(ByteBuffer bytes) throws IOException;

    /** Writes all of {@code bytes} (for instance a tensor mapped from another file). */
    void put(MemorySegment bytes) throws IOException;
}
