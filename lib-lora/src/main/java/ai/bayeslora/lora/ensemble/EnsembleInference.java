package ai.bayeslora.lora.ensemble;

/**
 * How a {@link LoraEnsemble} evaluates its members (METHODS.md §4, "Batched evaluation"). Both give the same
 * probabilities up to floating-point reassociation (tested to 1e-5 in float32).
 */
public enum EnsembleInference {
    /**
     * All members in one forward pass, stacked along the batch dimension [M·B, L]: every base-model GEMM serves all
     * members at once and each member's LoRA runs as a batched matmul (a stacked LoRA layer). Layers no member
     * adapts can run once for the B rows (prefix sharing). The default.
     */
    BATCHED,
    /** Attach member m, run the batch, detach, for each m: how peft evaluates members. The baseline. */
    SEQUENTIAL
}
