package org.adatoken3d.evaluation.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.adatoken3d.evaluation.run.RunLayout;
import org.adatoken3d.evaluation.run.SceneAnswers;
import org.adatoken3d.evaluation.run.SceneLocation;
import org.adatoken3d.llava3d.spatial.SpatialTokens;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * One partition's scenes, on an executor: each scene not yet committed is encoded once, asked every question under
 * every policy on this JVM's model, and committed ({@link RunLayout#commit}: whole files under names that depend only
 * on the scene and the policy). A retried or speculative attempt skips the scenes an earlier attempt committed and
 * can only replace a part with the same rows, so the output neither loses nor repeats one.
 */
final class SceneTask implements FlatMapFunction<List<SceneWork>, SceneReport> {
    private final JobSpec spec;
    private final SceneLocation scenes;

    SceneTask(JobSpec spec, SceneLocation scenes) {
        this.spec = spec;
        this.scenes = scenes;
    }

    /** The failure a test asks for, so that Spark retries the task. */
    static final class InjectedFailure extends RuntimeException {
        InjectedFailure(String message) {
            super(message);
        }
    }

    @Override
    public Iterator<SceneReport> call(List<SceneWork> bin) {
        TaskContext task = TaskContext.get();
        int partition = task.partitionId(), attempt = task.attemptNumber();
        String executor = SparkEnv.get().executorId();
        long pid = ProcessHandle.current().pid();
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        RunLayout layout = RunLayout.at(Path.of(spec.out()));
        List<SceneReport> reports = new ArrayList<>();
        SceneLocation.Store[] store = new SceneLocation.Store[1];
        for (SceneWork w : bin) {
            if (layout.isDone(w.sceneId(), spec.settings().policies())) {
                reports.add(new SceneReport(w.sceneId(), w.questions().size(), true, 0, 0, executor, pid, ExecutorModel.opens(), vector, partition, attempt));
                continue;
            }
            long[] nanos = ExecutorModel.with(spec.model(), spec.threads(), llava -> {
                if (store[0] == null) store[0] = scenes.open(llava);
                long t0 = System.nanoTime();
                SpatialTokens tokens = store[0].tokens(w.sceneId());
                long t1 = System.nanoTime();
                layout.commit(w.sceneId(), SceneAnswers.answer(llava, w.sceneId(), tokens, w.questions(), spec.settings()));
                return new long[] {t1 - t0, System.nanoTime() - t1};
            });
            reports.add(new SceneReport(w.sceneId(), w.questions().size(), false, nanos[0], nanos[1], executor, pid, ExecutorModel.opens(), vector,
                    partition, attempt));
            if (partition == spec.failPartition() && attempt == 0) {
                throw new InjectedFailure("injected failure: partition " + partition + ", attempt 0, after committing " + w.sceneId());
            }
        }
        return reports.iterator();
    }
}
