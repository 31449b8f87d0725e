package org.adatoken3d.evaluation.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs a {@link JobSpec}: {@link #main} under {@code spark-submit} (the master and resources come from it), or
 * {@link #run} inside this JVM with a master of its own ({@code local[2]}, {@code local-cluster[2,1,1024]}).
 */
public final class SparkEval {
    static final String LOG_CONFIG = "org/adatoken3d/evaluation/spark/log4j2.properties";

    private SparkEval() {}

    /** Starts a SparkContext on {@code master} with {@code conf} added, runs the job, stops the context. */
    public static SparkEvalJob.Result run(String master, JobSpec spec, Map<String, String> conf) {
        quietLogging();
        SparkConf sparkConf = new SparkConf().setMaster(master).setAppName("adatoken3d eval").set("spark.ui.enabled", "false");
        conf.forEach(sparkConf::set);
        long t0 = System.nanoTime();
        try (JavaSparkContext spark = new JavaSparkContext(sparkConf)) {
            return SparkEvalJob.run(spark, spec, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** {@code spark-submit --class org.adatoken3d.evaluation.spark.SparkEval evaluation-spark-*-job.jar ARGS}; ARGS as {@link JobArgs}. */
    public static void main(String[] args) {
        JobSpec spec;
        try {
            spec = JobArgs.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(JobArgs.USAGE);
            System.exit(2);
            return;
        }
        quietLogging();
        long t0 = System.nanoTime();
        try (JavaSparkContext spark = new JavaSparkContext(new SparkConf().setAppName("adatoken3d eval"))) {
            SparkEvalJob.Result r = SparkEvalJob.run(spark, spec, (System.nanoTime() - t0) / 1e9);
            r.summary().table().forEach(System.out::println);
            System.out.println("predictions and summary in " + spec.out());
        }
    }

    /** Spark's INFO lines would drown the run's output; a log configuration given by the user wins. */
    private static void quietLogging() {
        if (System.getProperty("log4j2.configurationFile") == null) {
            var url = SparkEval.class.getClassLoader().getResource(LOG_CONFIG);
            if (url != null) System.setProperty("log4j2.configurationFile", url.toString());
        }
    }
}
