package ai.bayeslora.lora.train;

/**
 * Observes a training run: SWAG collection, logging, custom checkpoints. Called on the training thread after the
 * optimizer step (and after the end-of-epoch evaluation and checkpoint).
 */
public interface TrainingListener {
    /**
     * After each optimizer step (after gradient accumulation).
     *
     * @param step the step's number, loss and learning rate
     */
    default void onStepEnd(TrainingStep step) {
    }

    /**
     * After each epoch's evaluation and checkpoint.
     *
     * @param summary the epoch's training and validation metrics
     */
    default void onEpochEnd(EpochSummary summary) {
    }
}
