package org.adatoken3d.evaluation.spark;

import java.io.Serializable;
import java.util.List;
import org.adatoken3d.evaluation.run.BenchmarkQuestion;

/** One scene and every question about it: what a task answers and commits as a unit. */
public record SceneWork(String sceneId, List<BenchmarkQuestion> questions) implements Serializable {
    public SceneWork {
        questions = List.copyOf(questions);
    }
}
