package org.adatoken3d.evaluation.spark;

/**
 * Whether Spark's classes are on this JVM's class path (they are provided, not bundled). A class of its own, free of
 * Spark types, so that asking does not make the JVM load Spark while it verifies the class that asks.
 */
public final class SparkPresence {
    private SparkPresence() {}

    public static boolean onClassPath() {
        try {
            Class.forName("org.apache.spark.SparkContext", false, SparkPresence.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
