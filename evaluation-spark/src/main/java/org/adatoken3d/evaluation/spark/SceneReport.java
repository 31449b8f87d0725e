package org.adatoken3d.evaluation.spark;

import java.io.Serializable;

/**
 * What a task tells the driver about one scene. Only a successful attempt's reports reach the driver; the rows
 * themselves are in the committed parts, never in these.
 *
 * @param skipped the scene's parts were already committed (an earlier run, or an earlier attempt of this task)
 * @param executor Spark's executor id, with {@code pid} the JVM that did the work
 * @param modelOpens how many times that JVM had opened the model when it finished the scene
 * @param vectorModule whether that JVM had jdk.incubator.vector (the kernels need it)
 * @param attempt the task attempt (0 for the first)
 */
public record SceneReport(String sceneId, int questions, boolean skipped, long encodeNanos, long answerNanos, String executor, long pid,
        int modelOpens, boolean vectorModule, int partition, int attempt) implements Serializable {}
