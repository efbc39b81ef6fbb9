package ai.bayeslora.laplace;

import java.util.Locale;

/**
 * How the curvature G of the LoRA parameters is approximated (METHODS.md §6). Every structure is block-diagonal over
 * the LoRA matrices except {@link #FULL}.
 */
public enum Structure {
    /** Dense P×P GGN. Exact; only for tiny P (tests, ground truth). Memory 8·P² bytes. */
    FULL,
    /** The diagonal of the GGN, exact per entry. */
    DIAG,
    /**
     * One Kronecker-factored block per LoRA matrix (each module's A and B separate): G_b ≈ S_out ⊗ A_in in the
     * row-major layout of the matrix, with the normalisation (1/N)(Σ a aᵀ) ⊗ (Σ g gᵀ).
     */
    KFAC,
    /**
     * As {@link #KFAC}, but each factor whose side is at least the low-rank threshold is kept as L Lᵀ with L of rank
     * k, built by incremental SVD (bayesian_lora's scheme).
     */
    KFAC_LOWRANK;

    /**
     * Parses {@code full}, {@code diag}, {@code kfac}, {@code kfac-lowrank} (case and {@code -}/{@code _} insensitive).
     *
     * @param s the CLI spelling or the enum name, case-insensitive
     * @return the structure
     */
    public static Structure parse(String s) {
        String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown structure '" + s + "'; expected full, diag, kfac or kfac-lowrank");
        }
    }

    /** {@return the CLI spelling, e.g. {@code kfac-lowrank}} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
