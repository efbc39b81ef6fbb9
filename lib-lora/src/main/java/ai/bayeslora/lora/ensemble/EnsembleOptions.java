package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.mcqa.ClassReduction;
import java.util.Objects;

/**
 * How a {@link LoraEnsemble} predicts. Immutable; build with {@link #builder()} or take {@link #defaults()}.
 *
 * @param inference batched (default) or sequential member evaluation
 * @param prefixSharing in batched mode, run the decoder layers below the lowest adapted layer once for the B rows
 *                      instead of once per member (default on; exact up to rounding)
 * @param reduction how last-token logits become class probabilities (METHODS.md §1; default (a) answer tokens)
 * @param maxRowsPerPass in batched mode, the most rows (members × examples) one forward pass may hold; a larger
 *                       batch is split into example chunks so that activation memory stays bounded. 0 (default) =
 *                       no fixed limit: the whole batch on the CPU, and on CUDA as many rows as 70 % of the device's
 *                       free memory holds by an activation estimate. At least one example (M rows) runs per pass; an
 *                       out-of-memory error halves the examples per pass and retries.
 */
public record EnsembleOptions(EnsembleInference inference, boolean prefixSharing, ClassReduction reduction,
                              int maxRowsPerPass) {

    /**
     * Checks that the mode and reduction are present and {@code maxRowsPerPass} is not negative.
     *
     * @param inference batched (default) or sequential member evaluation
     * @param prefixSharing in batched mode, run the decoder layers below the lowest adapted layer once for the B rows
     *     instead of once per member (default on; exact up to rounding)
     * @param reduction how last-token logits become class probabilities (METHODS.md §1; default (a) answer tokens)
     * @param maxRowsPerPass in batched mode, the most rows (members × examples) one forward pass may hold; a larger
     *     batch is split into example chunks so that activation memory stays bounded. 0 (default) = no fixed limit: the
     *     whole batch on the CPU, and on CUDA as many rows as 70 % of the device's free memory holds by an activation
     *     estimate. At least one example (M rows) runs per pass; an out-of-memory error halves the examples per pass
     *     and retries.
     */
    public EnsembleOptions {
        Objects.requireNonNull(inference, "inference");
        Objects.requireNonNull(reduction, "reduction");
        if (maxRowsPerPass < 0) {
            throw new IllegalArgumentException("maxRowsPerPass must be >= 0 (0 = no limit), got " + maxRowsPerPass);
        }
    }

    /**
     * Batched, prefix sharing on, answer-token reduction, no row limit.
     *
     * @return the default options
     */
    public static EnsembleOptions defaults() {
        return builder().build();
    }

    /** {@return a builder starting from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from these options} */
    public Builder toBuilder() {
        return new Builder().inference(inference).prefixSharing(prefixSharing).reduction(reduction)
                .maxRowsPerPass(maxRowsPerPass);
    }

    /** Builder with the defaults of {@link #defaults()}. */
    public static final class Builder {
        private EnsembleInference inference = EnsembleInference.BATCHED;
        private boolean prefixSharing = true;
        private ClassReduction reduction = ClassReduction.ANSWER_TOKENS;
        private int maxRowsPerPass;

        /**
         * Sets {@link EnsembleOptions#inference() inference}.
         *
         * @param mode batched (default) or sequential member evaluation
         * @return this builder
         */
        public Builder inference(EnsembleInference mode) {
            this.inference = mode;
            return this;
        }

        /**
         * Sets {@link EnsembleOptions#prefixSharing() prefixSharing}.
         *
         * @param on in batched mode, run the decoder layers below the lowest adapted layer once for the B rows instead
         *     of once per member (default on; exact up to rounding)
         * @return this builder
         */
        public Builder prefixSharing(boolean on) {
            this.prefixSharing = on;
            return this;
        }

        /**
         * Sets {@link EnsembleOptions#reduction() reduction}.
         *
         * @param r how last-token logits become class probabilities (METHODS.md §1; default (a) answer tokens)
         * @return this builder
         */
        public Builder reduction(ClassReduction r) {
            this.reduction = r;
            return this;
        }

        /**
         * Sets {@link EnsembleOptions#maxRowsPerPass() maxRowsPerPass}.
         *
         * @param rows in batched mode, the most rows (members × examples) one forward pass may hold; a larger batch is
         *     split into example chunks so that activation memory stays bounded. 0 (default) = no fixed limit: the
         *     whole batch on the CPU, and on CUDA as many rows as 70 % of the device's free memory holds by an
         *     activation estimate. At least one example (M rows) runs per pass; an out-of-memory error halves the
         *     examples per pass and retries.
         * @return this builder
         */
        public Builder maxRowsPerPass(int rows) {
            this.maxRowsPerPass = rows;
            return this;
        }

        /** {@return the options} */
        public EnsembleOptions build() {
            return new EnsembleOptions(inference, prefixSharing, reduction, maxRowsPerPass);
        }
    }
}
