package ai.bayeslora.lora.swag;

/**
 * How a SWAG sample is drawn from the collected moments (METHODS.md §5). With θ̄ the running mean, Σ_diag the diagonal
 * variance, D = [d₁ … d_K] the K deviation columns held (K = min(n, maxRank) after n collections) and z₁ ~ N(0, I_P),
 * z₂ ~ N(0, I_K):
 *
 * <ul>
 *   <li>{@link #PAPER}: θ = θ̄ + √scale · ( (1/√2) √Σ_diag ⊙ z₁ + (1/√(2(K−1))) D z₂ ), i.e. covariance
 *       scale · ( ½ diag(Σ_diag) + D Dᵀ / (2(K−1)) ).</li>
 *   <li>{@link #SWAG_LORA_CODE}: θ = θ̄ + √scale · ( √Σ_diag ⊙ z₁ + (1/√(maxRank−1)) D z₂ ), i.e. covariance
 *       scale · ( diag(Σ_diag) + D Dᵀ / (maxRank−1) ).</li>
 * </ul>
 */
public enum SwagVariant {
    /**
     * Maddox et al. 2019, eq. for the SWAG sample: the diagonal and the low-rank halves each carry a factor 1/√2, and
     * the low-rank part is the sample covariance of the K columns actually held, D Dᵀ/(K−1). K counts the columns
     * collected so far, capped at maxRank; K − 1 is the Bessel denominator of that sample covariance. Before maxRank
     * columns exist, K is smaller than maxRank (e.g. K = 3 after three collections with maxRank 5). With K = 1 (a single
     * collection) the only column is θ₁ − θ̄₁ = 0 exactly, so the low-rank term is taken as 0 instead of 0/0. The
     * project's default.
     */
    PAPER,
    /**
     * The sampler of swag-lora's code (inherited from the SWAG reference code): no 1/√2 factors, and the low-rank part is
     * divided by √(maxRank − 1), the <em>maximum</em> number of columns minus one, even while fewer columns have been
     * collected. Offered for reproducing SWAG-LoRA's numbers; with scale 1 its covariance is twice the paper's once
     * maxRank columns are held.
     */
    SWAG_LORA_CODE;

    /** The factor in front of √Σ_diag ⊙ z₁, before √scale. */
    double diagonalFactor() {
        return this == PAPER ? Math.sqrt(0.5) : 1.0;
    }

    /**
     * The factor in front of D z₂, before √scale.
     *
     * @param columns K, the number of deviation columns held (at least 1)
     * @param maxRank the configured maximum number of columns (at least 2)
     */
    double lowRankFactor(int columns, int maxRank) {
        if (this == SWAG_LORA_CODE) {
            return 1.0 / Math.sqrt(maxRank - 1.0);
        }
        return columns < 2 ? 0.0 : 1.0 / Math.sqrt(2.0 * (columns - 1));
    }
}
