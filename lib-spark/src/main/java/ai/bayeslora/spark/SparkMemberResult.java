package ai.bayeslora.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What the Spark task of one ensemble member did (returned to the driver by {@link SparkEnsembleTraining#train}).
 *
 * @param member the member index m
 * @param seed the member's seed ({@code baseSeed + m}: A initialisation, dropout and data order)
 * @param attempt Spark's attempt number of the task that finished the member (0 unless Spark retried it)
 * @param resumedFromEpoch the epoch of the checkpoint this attempt continued from, 0 for a fresh start
 * @param alreadyFinished whether the member had finished in an earlier run (nothing trained, nothing written)
 * @param trainLosses the mean training objective of each completed epoch, epoch 1 first (the whole history)
 * @param globalSteps optimizer steps taken in total
 * @param stoppedEarly whether early stopping ended the member before its last epoch
 * @param finalCheckpoint the absolute path of the member's last {@code epoch-NNN} checkpoint
 * @param executor the Spark executor id that ran the task ({@code driver} in local mode)
 * @param seconds the task's wall-clock time
 * @serial exclude (a value for Spark closures within one application, not a persistent format)
 */
public record SparkMemberResult(int member, long seed, int attempt, int resumedFromEpoch, boolean alreadyFinished,
                                List<Double> trainLosses, long globalSteps, boolean stoppedEarly,
                                String finalCheckpoint, String executor, double seconds) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Copies the loss list.
     *
     * @param member the member index m
     * @param seed the member's seed
     * @param attempt Spark's attempt number of the task that finished the member
     * @param resumedFromEpoch the epoch of the checkpoint this attempt continued from, 0 for a fresh start
     * @param alreadyFinished whether the member had finished in an earlier run
     * @param trainLosses the mean training objective of each completed epoch
     * @param globalSteps optimizer steps taken in total
     * @param stoppedEarly whether early stopping ended the member
     * @param finalCheckpoint the member's last checkpoint folder
     * @param executor the executor id
     * @param seconds the task's wall-clock time
     */
    public SparkMemberResult {
        trainLosses = List.copyOf(trainLosses);
        Objects.requireNonNull(finalCheckpoint, "finalCheckpoint");
        Objects.requireNonNull(executor, "executor");
    }

    /** {@return the number of completed epochs} */
    public int epochs() {
        return trainLosses.size();
    }
}
