package org.adatoken3d.conformance;

import java.nio.file.Path;

/** Something that offers the {@code forward} oracle interface of conformance/FORMAT.md. */
public interface Implementation {
    /** Reads {@code input}, runs the model in {@code model}, writes {@code output}. */
    void forward(Path model, Path input, Path output) throws Exception;

    String describe();
}
