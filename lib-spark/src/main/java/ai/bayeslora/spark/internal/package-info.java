/** Executor-side plumbing of lib-spark (model cache, Hadoop path copies, task devices); not API. */
package ai.bayeslora.spark.internal;
