package ai.bayeslora.lora.swag;

import java.util.Objects;

/**
 * Settings of SWAG-LoRA (METHODS.md §5): when θ is collected, how many deviation columns are kept, and how samples are
 * drawn. Immutable; build with {@link #builder()}.
 *
 * <p>SWAG-LoRA's published settings (Onal et al. 2024) are the defaults where this record holds them: K = 5, scale 1,
 * S = 15. The rest of that protocol belongs to other objects: LoRA r = 8, α = 16, dropout 0.1 ({@code LoraConfig}),
 * and a SWAG-phase learning rate of the base learning rate / 10 (the trainer).
 *
 * @param startEpoch the first epoch (1-based) whose snapshots are collected; earlier epochs are the MAP phase. Default
 *     1. SWAG-LoRA starts after a MAP phase (its example configuration collects from epoch 8 on); set this to the
 *     epoch where the SWAG learning rate takes over
 * @param frequency collect at each epoch end (default, as SWAG-LoRA) or every k optimizer steps
 * @param maxRank the maximum number K of deviation columns kept (the last K snapshots); default 5, as SWAG-LoRA and
 *     Maddox et al. At least 2: both samplers divide the low-rank term by a column count minus one
 * @param scale the covariance scale; default 1 (SWAG-LoRA). {@code 0} samples the SWA mean θ̄ itself
 * @param variant the sampler; default {@link SwagVariant#PAPER}
 * @param samples S, the number of weight samples a predictive draws; default 15 (SWAG-LoRA)
 * @param offloadToCpu keep the float64 moments on the CPU instead of the adapter's device (saves accelerator memory:
 *     (2 + K) · 8 bytes per LoRA parameter). Default false
 */
public record SwagConfig(int startEpoch, CollectionFrequency frequency, int maxRank, double scale, SwagVariant variant,
                         int samples, boolean offloadToCpu) {
    /** Default maximum rank K (SWAG-LoRA, Maddox et al.). */
    public static final int DEFAULT_MAX_RANK = 5;
    /** Default covariance scale (SWAG-LoRA). */
    public static final double DEFAULT_SCALE = 1.0;
    /** Default number of weight samples S (SWAG-LoRA). */
    public static final int DEFAULT_SAMPLES = 15;

    /**
     * Validates every field; the messages name the field.
     *
     * @param startEpoch the first epoch (1-based) whose snapshots are collected; earlier epochs are the MAP phase.
     *     Default 1. SWAG-LoRA starts after a MAP phase (its example configuration collects from epoch 8 on); set this
     *     to the epoch where the SWAG learning rate takes over
     * @param frequency collect at each epoch end (default, as SWAG-LoRA) or every k optimizer steps
     * @param maxRank the maximum number K of deviation columns kept (the last K snapshots); default 5, as SWAG-LoRA and
     *     Maddox et al. At least 2: both samplers divide the low-rank term by a column count minus one
     * @param scale the covariance scale; default 1 (SWAG-LoRA). {@code 0} samples the SWA mean θ̄ itself
     * @param variant the sampler; default {@link SwagVariant#PAPER}
     * @param samples S, the number of weight samples a predictive draws; default 15 (SWAG-LoRA)
     * @param offloadToCpu keep the float64 moments on the CPU instead of the adapter's device (saves accelerator
     *     memory: (2 + K) · 8 bytes per LoRA parameter). Default false
     */
    public SwagConfig {
        if (startEpoch < 1) {
            throw new IllegalArgumentException("SWAG startEpoch is 1-based, got " + startEpoch);
        }
        Objects.requireNonNull(frequency, "frequency");
        if (maxRank < 2) {
            throw new IllegalArgumentException("SWAG maxRank must be at least 2 (the low-rank covariance divides by a "
                    + "column count minus one), got " + maxRank);
        }
        if (!(scale >= 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("SWAG scale must be finite and >= 0, got " + scale);
        }
        Objects.requireNonNull(variant, "variant");
        if (samples < 1) {
            throw new IllegalArgumentException("SWAG samples S must be at least 1, got " + samples);
        }
    }

    /**
     * {@return the defaults: start epoch 1, end of epoch, K = 5, scale 1, PAPER, S = 15, moments on the adapter's
     * device}
     */
    public static SwagConfig defaults() {
        return builder().build();
    }

    /** {@return a builder starting from the SWAG-LoRA defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from this configuration} */
    public Builder toBuilder() {
        return new Builder().startEpoch(startEpoch).frequency(frequency).maxRank(maxRank).scale(scale)
                .variant(variant).samples(samples).offloadToCpu(offloadToCpu);
    }

    /** Builder of {@link SwagConfig}; see the record's fields for the defaults. */
    public static final class Builder {
        private int startEpoch = 1;
        private CollectionFrequency frequency = CollectionFrequency.endOfEpoch();
        private int maxRank = DEFAULT_MAX_RANK;
        private double scale = DEFAULT_SCALE;
        private SwagVariant variant = SwagVariant.PAPER;
        private int samples = DEFAULT_SAMPLES;
        private boolean offloadToCpu;

        private Builder() {
        }

        /**
         * Sets {@link SwagConfig#startEpoch() startEpoch}.
         *
         * @param epoch the first epoch (1-based) whose snapshots are collected; earlier epochs are the MAP phase.
         *     Default 1. SWAG-LoRA starts after a MAP phase (its example configuration collects from epoch 8 on); set
         *     this to the epoch where the SWAG learning rate takes over
         * @return this builder
         */
        public Builder startEpoch(int epoch) {
            this.startEpoch = epoch;
            return this;
        }

        /**
         * Sets {@link SwagConfig#frequency() frequency}.
         *
         * @param f collect at each epoch end (default, as SWAG-LoRA) or every k optimizer steps
         * @return this builder
         */
        public Builder frequency(CollectionFrequency f) {
            this.frequency = f;
            return this;
        }

        /**
         * Shorthand for {@code frequency(CollectionFrequency.everySteps(k))}.
         *
         * @param k the number of optimizer steps between snapshots, at least 1
         * @return this builder
         */
        public Builder everySteps(int k) {
            this.frequency = CollectionFrequency.everySteps(k);
            return this;
        }

        /**
         * Sets {@link SwagConfig#maxRank() maxRank}.
         *
         * @param k the maximum number K of deviation columns kept (the last K snapshots); default 5, as SWAG-LoRA and
         *     Maddox et al. At least 2: both samplers divide the low-rank term by a column count minus one
         * @return this builder
         */
        public Builder maxRank(int k) {
            this.maxRank = k;
            return this;
        }

        /**
         * Sets {@link SwagConfig#scale() scale}.
         *
         * @param s the covariance scale; default 1 (SWAG-LoRA). {@code 0} samples the SWA mean θ̄ itself
         * @return this builder
         */
        public Builder scale(double s) {
            this.scale = s;
            return this;
        }

        /**
         * Sets {@link SwagConfig#variant() variant}.
         *
         * @param v the sampler; default {@link SwagVariant#PAPER}
         * @return this builder
         */
        public Builder variant(SwagVariant v) {
            this.variant = v;
            return this;
        }

        /**
         * Sets {@link SwagConfig#samples() samples}.
         *
         * @param s S, the number of weight samples a predictive draws; default 15 (SWAG-LoRA)
         * @return this builder
         */
        public Builder samples(int s) {
            this.samples = s;
            return this;
        }

        /**
         * Sets {@link SwagConfig#offloadToCpu() offloadToCpu}.
         *
         * @param on keep the float64 moments on the CPU instead of the adapter's device (saves accelerator memory: (2 +
         *     K) · 8 bytes per LoRA parameter). Default false
         * @return this builder
         */
        public Builder offloadToCpu(boolean on) {
            this.offloadToCpu = on;
            return this;
        }

        /** {@return the configuration} */
        public SwagConfig build() {
            return new SwagConfig(startEpoch, frequency, maxRank, scale, variant, samples, offloadToCpu);
        }
    }
}
