package ai.bayeslora.lora.train;

/**
 * Observes a training run: SWAG collection, logging, custom checkpoints. Called on the training thread after the
 * optimizer step (and after the end-of-epoch evaluation and checkpoint).
 */
public interface TrainingListener {
    /** After each optimizer step (after gradient accumulation). */
    default void onStepEnd(TrainingStep step) {
    }

    /** After each epoch's evaluation and checkpoint. */
    default void onEpochEnd(EpochSummary summary) {
    }
}
