package org.adatoken3d.evaluation.spark;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Spreads scenes over partitions so that each partition gets about the same number of questions: the largest scene
 * first, each into the partition with the fewest questions so far (longest-processing-time first). A scene is never
 * split, so it is encoded once.
 */
final class SceneBins {
    private SceneBins() {}

    static List<List<SceneWork>> balance(List<SceneWork> scenes, int partitions) {
        int n = Math.max(1, Math.min(partitions, scenes.size()));
        List<List<SceneWork>> bins = new ArrayList<>(n);
        int[] load = new int[n];
        for (int i = 0; i < n; i++) bins.add(new ArrayList<>());
        List<SceneWork> largestFirst = new ArrayList<>(scenes);
        largestFirst.sort(Comparator.comparingInt((SceneWork w) -> w.questions().size()).reversed().thenComparing(SceneWork::sceneId));
        for (SceneWork w : largestFirst) {
            int best = 0;
            for (int i = 1; i < n; i++) if (load[i] < load[best]) best = i;
            bins.get(best).add(w);
            load[best] += w.questions().size();
        }
        return bins;
    }
}
