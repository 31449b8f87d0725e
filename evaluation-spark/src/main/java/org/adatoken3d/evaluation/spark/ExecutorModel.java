package org.adatoken3d.evaluation.spark;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.adatoken3d.llava3d.EngineOptions;
import org.adatoken3d.llava3d.Llava3d;

/**
 * The model of this JVM: opened (memory-mapped) by the first task that needs it and kept for every later task,
 * so an executor pays the load once however many scenes it answers. Spark may run several tasks of one executor at
 * once; a {@link Llava3d} answers one request at a time, so tasks take turns on it (its kernels use the executor's
 * cores within each request).
 */
final class ExecutorModel {
    private static final Map<String, Llava3d> MODELS = new HashMap<>();
    private static int opens;

    private ExecutorModel() {}

    /** Runs {@code work} on this JVM's model of {@code dir}, alone. */
    static <T> T with(String dir, int threads, Function<Llava3d, T> work) {
        Llava3d llava;
        synchronized (ExecutorModel.class) {
            llava = MODELS.get(dir);
            if (llava == null) {
                llava = Llava3d.open(Path.of(dir), EngineOptions.defaults().withThreads(threads));
                opens++;
                MODELS.put(dir, llava);
            }
        }
        synchronized (llava) {
            return work.apply(llava);
        }
    }

    /** How many models this JVM has opened. */
    static synchronized int opens() {
        return opens;
    }
}
