package org.adatoken3d.kernels.backend;

import java.util.List;

/**
 * A family of {@link Backend}s found through {@code ServiceLoader} (registered in
 * {@code META-INF/services/org.adatoken3d.kernels.backend.BackendProvider}), so modules that add accelerators plug
 * in without the engine depending on them.
 */
public interface BackendProvider {
    /** The name {@code --device} selects it by, e.g. {@code opencl}. */
    String name();

    /** The devices it can open, in index order; empty (with {@link #unavailableReason()}) when none is usable. */
    List<String> devices();

    /** Why {@link #devices()} is empty (no driver, no platform), or null. */
    String unavailableReason();

    /** Opens device {@code index} of {@link #devices()}. */
    Backend open(int index);
}
