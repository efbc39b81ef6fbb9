package ai.bayeslora.lora.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of a training run (including epochs completed before a resume).
 *
 * @param epochs one summary per completed epoch, in order
 * @param bestEpoch the 1-based epoch with the lowest validation NLL; the last epoch when there is no validation data
 * @param bestCheckpoint the checkpoint folder of {@code bestEpoch}, if one was written
 * @param finalCheckpoint the checkpoint folder of the last epoch (a peft adapter plus trainer state), if an output
 *     folder was given
 * @param globalSteps optimizer steps taken in total
 * @param stoppedEarly whether early stopping ended the run before the configured epochs
 */
public record TrainingResult(List<EpochSummary> epochs, int bestEpoch, Optional<Path> bestCheckpoint,
                             Optional<Path> finalCheckpoint, long globalSteps, boolean stoppedEarly) {
    /**
     * Copies the epoch list.
     *
     * @param epochs one summary per completed epoch, in order
     * @param bestEpoch the 1-based epoch with the lowest validation NLL; the last epoch when there is no validation
     *     data
     * @param bestCheckpoint the checkpoint folder of {@code bestEpoch}, if one was written
     * @param finalCheckpoint the checkpoint folder of the last epoch (a peft adapter plus trainer state), if an output
     *     folder was given
     * @param globalSteps optimizer steps taken in total
     * @param stoppedEarly whether early stopping ended the run before the configured epochs
     */
    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    /** {@return the summary of the last epoch} */
    public EpochSummary last() {
        return epochs.get(epochs.size() - 1);
    }

    /** {@return the summary of {@link #bestEpoch()}} */
    public EpochSummary best() {
        return epochs.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow();
    }
}
