package ai.bayeslora.laplace;

import java.util.List;
import java.util.Objects;

/**
 * What a Laplace fit computes. Immutable; build with {@link #builder()} (defaults documented there).
 *
 * @param structure curvature structure
 * @param fisher which labels weight the curvature
 * @param positions which token positions feed K-FAC factors (KFAC, KFAC_LOWRANK)
 * @param rank k of low-rank factors (KFAC_LOWRANK)
 * @param lowRankThreshold factor sides of at least this length are low-rank (KFAC_LOWRANK)
 * @param mcSamples labels sampled per example (MC_SAMPLED)
 * @param seed seed of label sampling
 * @param modules module-name suffixes whose LoRA matrices get a posterior (e.g. {@code lm_head} for last-layer
 *     Laplace); empty for all of the adapter's modules. Other LoRA parameters stay at their values.
 * @param priorPrecision λ of the prior θ ~ N(0, λ⁻¹ I) used unless tuned (bayesian_lora's s2 = 1/λ)
 * @param tuning prior-precision tuning after the fit, or null for none
 */
public record LaplaceConfig(Structure structure, FisherEstimate fisher, KfacPositions positions, int rank,
                            int lowRankThreshold, int mcSamples, long seed, List<String> modules,
                            double priorPrecision, PriorTuning.Options tuning) {

    /**
     * Checks the settings.
     *
     * @param structure curvature structure
     * @param fisher which labels weight the curvature
     * @param positions which token positions feed K-FAC factors (KFAC, KFAC_LOWRANK)
     * @param rank k of low-rank factors (KFAC_LOWRANK)
     * @param lowRankThreshold factor sides of at least this length are low-rank (KFAC_LOWRANK)
     * @param mcSamples labels sampled per example (MC_SAMPLED)
     * @param seed seed of label sampling
     * @param modules module-name suffixes whose LoRA matrices get a posterior (e.g. {@code lm_head} for last-layer
     *     Laplace); empty for all of the adapter's modules. Other LoRA parameters stay at their values.
     * @param priorPrecision λ of the prior θ ~ N(0, λ⁻¹ I) used unless tuned (bayesian_lora's s2 = 1/λ)
     * @param tuning prior-precision tuning after the fit, or null for none
     */
    public LaplaceConfig {
        Objects.requireNonNull(structure, "structure");
        Objects.requireNonNull(fisher, "fisher");
        Objects.requireNonNull(positions, "positions");
        modules = List.copyOf(modules);
        if (rank < 1) {
            throw new IllegalArgumentException("low-rank k must be >= 1, got " + rank);
        }
        if (lowRankThreshold < 1) {
            throw new IllegalArgumentException("low-rank threshold must be >= 1, got " + lowRankThreshold);
        }
        if (mcSamples < 1) {
            throw new IllegalArgumentException("MC label samples must be >= 1, got " + mcSamples);
        }
        if (!(priorPrecision > 0) || Double.isInfinite(priorPrecision)) {
            throw new IllegalArgumentException("prior precision λ must be positive and finite, got " + priorPrecision);
        }
    }

    /** {@return a builder starting from the defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from this configuration} */
    public Builder toBuilder() {
        return new Builder().structure(structure).fisher(fisher).positions(positions).rank(rank)
                .lowRankThreshold(lowRankThreshold).mcSamples(mcSamples).seed(seed).modules(modules)
                .priorPrecision(priorPrecision).tuning(tuning);
    }

    /**
     * Builder. Defaults: {@link Structure#KFAC}, {@link FisherEstimate#EXACT}, {@link KfacPositions#EXPAND}, rank 10
     * and threshold 100 (bayesian_lora's n_kfac and lr_threshold), 1 MC label per example, seed 0, all modules,
     * λ = 1, no tuning.
     */
    public static final class Builder {
        private Structure structure = Structure.KFAC;
        private FisherEstimate fisher = FisherEstimate.EXACT;
        private KfacPositions positions = KfacPositions.EXPAND;
        private int rank = 10;
        private int lowRankThreshold = 100;
        private int mcSamples = 1;
        private long seed;
        private List<String> modules = List.of();
        private double priorPrecision = 1.0;
        private PriorTuning.Options tuning;

        private Builder() {
        }

        /**
         * Sets {@link LaplaceConfig#structure() structure}.
         *
         * @param s curvature structure
         * @return this builder
         */
        public Builder structure(Structure s) {
            this.structure = s;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#fisher() fisher}.
         *
         * @param f which labels weight the curvature
         * @return this builder
         */
        public Builder fisher(FisherEstimate f) {
            this.fisher = f;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#positions() positions}.
         *
         * @param p which token positions feed K-FAC factors (KFAC, KFAC_LOWRANK)
         * @return this builder
         */
        public Builder positions(KfacPositions p) {
            this.positions = p;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#rank() rank}.
         *
         * @param k k of low-rank factors (KFAC_LOWRANK)
         * @return this builder
         */
        public Builder rank(int k) {
            this.rank = k;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#lowRankThreshold() lowRankThreshold}.
         *
         * @param t factor sides of at least this length are low-rank (KFAC_LOWRANK)
         * @return this builder
         */
        public Builder lowRankThreshold(int t) {
            this.lowRankThreshold = t;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#mcSamples() mcSamples}.
         *
         * @param s labels sampled per example (MC_SAMPLED)
         * @return this builder
         */
        public Builder mcSamples(int s) {
            this.mcSamples = s;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#seed() seed}.
         *
         * @param s seed of label sampling
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#modules() modules}.
         *
         * @param suffixes module-name suffixes whose LoRA matrices get a posterior (e.g. {@code lm_head} for last-layer
         *     Laplace)
         * @return this builder
         */
        public Builder modules(List<String> suffixes) {
            this.modules = List.copyOf(suffixes);
            return this;
        }

        /**
         * Sets {@link LaplaceConfig#modules() modules}.
         *
         * @param suffixes module-name suffixes whose LoRA matrices get a posterior (e.g. {@code lm_head} for last-layer
         *     Laplace)
         * @return this builder
         */
        public Builder modules(String... suffixes) {
            return modules(List.of(suffixes));
        }

        /**
         * Sets {@link LaplaceConfig#priorPrecision() priorPrecision}.
         *
         * @param lambda λ of the prior θ ~ N(0, λ⁻¹ I) used unless tuned (bayesian_lora's s2 = 1/λ)
         * @return this builder
         */
        public Builder priorPrecision(double lambda) {
            this.priorPrecision = lambda;
            return this;
        }

        /**
         * Tune λ after fitting (null: keep {@link #priorPrecision}).
         *
         * @param options how λ is tuned
         * @return this builder
         */
        public Builder tuning(PriorTuning.Options options) {
            this.tuning = options;
            return this;
        }

        /** {@return the configuration} */
        public LaplaceConfig build() {
            return new LaplaceConfig(structure, fisher, positions, rank, lowRankThreshold, mcSamples, seed, modules,
                    priorPrecision, tuning);
        }
    }
}
