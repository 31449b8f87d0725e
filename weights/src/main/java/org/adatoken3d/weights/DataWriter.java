package org.adatoken3d.weights;

import java.io.IOException;

/**
 * Produces one tensor's bytes on demand, so a writer can stream tensors far larger than memory. It must put
 * exactly {@code shape product × dtype size} bytes; the writer checks and fails otherwise.
 */
@FunctionalInterface
public interface DataWriter {
    void writeTo(TensorSink sink) throws IOException;
}
