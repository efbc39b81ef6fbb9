package ai.bayeslora.laplace;

import java.util.Locale;

/**
 * Which labels weight the outer products of per-example log-probability gradients g_{n,c} = ∇_θ log p_c(x_n). Since
 * H_n = diag(p) − p pᵀ = Σ_c p_c (e_c − p)(e_c − p)ᵀ, the GGN is G = Σ_n Σ_c p_{n,c} g_{n,c} g_{n,c}ᵀ (METHODS.md §6).
 * Every variant costs the same C backward passes (one per class logit); the weighting is applied afterwards in the
 * compute dtype (see docs/LAPLACE.md).
 */
public enum FisherEstimate {
    /**
     * The exact expectation over the C classes (default): weights p_{n,c}, so the curvature is the GGN itself.
     * Deterministic.
     */
    EXACT,
    /** bayesian_lora's Monte Carlo Fisher: S labels y ~ p per example, each with weight 1/S. Seeded. */
    MC_SAMPLED,
    /** The empirical Fisher: the true label only, weight 1. Not the GGN; offered for comparison. */
    EMPIRICAL;

    /**
     * Parses {@code exact}, {@code mc} / {@code mc-sampled}, {@code empirical}.
     *
     * @param s the CLI spelling or the enum name, case-insensitive
     * @return the estimate
     */
    public static FisherEstimate parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "exact": return EXACT;
            case "mc": case "mc-sampled": case "sampled": return MC_SAMPLED;
            case "empirical": case "emp": return EMPIRICAL;
            default: throw new IllegalArgumentException("unknown Fisher estimate '" + s + "'; expected exact, mc or empirical");
        }
    }
}
