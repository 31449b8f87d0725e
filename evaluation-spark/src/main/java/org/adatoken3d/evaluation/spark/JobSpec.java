package org.adatoken3d.evaluation.spark;

import java.io.Serializable;
import org.adatoken3d.evaluation.run.RunSettings;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.kernels.EngineArgumentException;

/**
 * A benchmark evaluation as a Spark job. Paths are strings as every machine sees them: the model folder and the
 * scenes must be at these paths on each worker (local copies or a shared file system), the output folder on a file
 * system every worker and the driver share.
 *
 * @param model the model folder
 * @param threads CPU kernel threads per executor JVM (0: all of its cores; on a cluster, set it to spark.executor.cores)
 * @param scenes where scenes are, or null for the question format's own (a spatial-QA split)
 * @param partitions how many tasks the scenes are spread over (0: Spark's default parallelism)
 * @param failPartition for tests: the first attempt of this partition throws after committing its first scene (-1: never)
 */
public record JobSpec(String model, int threads, QuestionSpec questions, SceneLocation scenes, RunSettings settings, String out, int partitions,
        int failPartition) implements Serializable {
    public JobSpec {
        if (model == null || questions == null || settings == null || out == null) throw new IllegalArgumentException("incomplete job: " + model);
        if (threads < 0) throw new EngineArgumentException("threads", "must be >= 1 (or 0 for all cores), got " + threads);
        if (partitions < 0) throw new EngineArgumentException("partitions", "must be >= 1, got " + partitions);
    }

    public JobSpec withFailPartition(int p) {
        return new JobSpec(model, threads, questions, scenes, settings, out, partitions, p);
    }

    public JobSpec withOut(String o) {
        return new JobSpec(model, threads, questions, scenes, settings, o, partitions, failPartition);
    }
}
