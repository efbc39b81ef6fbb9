package ai.bayeslora.spark;

import ai.bayeslora.lora.train.EpochSummary;
import java.io.Serializable;

/**
 * Observes ensemble members trained as Spark tasks ({@link SparkEnsembleTraining}). It travels to the executors with
 * the task and is called there, on the task's thread; each task attempt gets its own deserialized copy. An exception
 * thrown by a method fails the task attempt, which Spark then retries (up to {@code spark.task.maxFailures}); the
 * retry resumes from the member's latest epoch checkpoint.
 */
public interface SparkTrainingListener extends Serializable {
    /**
     * Before member m trains.
     *
     * @param member m
     * @param attempt Spark's attempt number of the task (0 for the first attempt)
     * @param resumedFromEpoch the epoch of the checkpoint the member continues from, 0 for a fresh start
     */
    default void memberStarted(int member, int attempt, int resumedFromEpoch) {
    }

    /**
     * After each epoch of member m, once its checkpoint is written.
     *
     * @param member m
     * @param attempt Spark's attempt number of the task
     * @param summary the epoch's metrics and checkpoint
     */
    default void epochEnded(int member, int attempt, EpochSummary summary) {
    }
}
