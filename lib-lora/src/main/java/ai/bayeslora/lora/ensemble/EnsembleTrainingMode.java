package ai.bayeslora.lora.ensemble;

/** How an {@link EnsembleTrainer} schedules its members. */
public enum EnsembleTrainingMode {
    /**
     * One member after another, each a complete {@link ai.bayeslora.lora.train.LoraTrainer} run with its own seed
     * {@code baseSeed + m} for A initialisation, dropout and data order. Memory: one member's training state.
     */
    SEQUENTIAL,
    /**
     * All members together: each optimizer step is one forward over the batch repeated M times (member-major) with
     * the members' LoRA stacked, one backward through Σ_m loss_m, then per-member gradient clipping and optimizer
     * steps. Members keep their own A initialisation and dropout stream ({@code baseSeed + m}) but share one data
     * order (that of member 0, seed {@code baseSeed}): every step shows all members the same batch. Memory: all
     * members' training state and M times the activations of one batch.
     */
    INTERLEAVED
}
