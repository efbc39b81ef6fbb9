/**
 * BayesLoRA4J on Apache Spark (docs/SPARK.md): scoring a table of prompts with uncertainty as a Spark ML
 * {@code Transformer}, ensemble members trained as Spark tasks, and Laplace-LoRA curvature summed over partitions.
 *
 * <p>Spark is a {@code provided} dependency: a cluster's Spark (4.x, Scala 2.13) is used. An executor JVM loads each
 * model once ({@link ai.bayeslora.spark.SparkModel#shared()}) and serves all its task threads with it; models and
 * posteriors are read from any path the executors can read (a local folder, or HDFS, S3 and other Hadoop file systems,
 * copied once per executor into a local cache).
 */
package ai.bayeslora.spark;
