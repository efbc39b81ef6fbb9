package ai.bayeslora.laplace;

import java.util.Locale;

/**
 * Which token positions feed the Kronecker factors of a LoRA matrix inside the decoder (lm_head only ever sees the
 * last token, where all three coincide). The exact per-example gradient of a weight shared over positions is
 * ∇W = Σ_t g_t a_tᵀ; K-FAC has to approximate its outer product (Eschenhagen et al. 2023). {@link Structure#FULL}
 * and {@link Structure#DIAG} always use the exact per-example gradient.
 */
public enum KfacPositions {
    /**
     * bayesian_lora's choice: only the last real token's input a_T and output gradient g_T; factors
     * (1/N)(Σ_n a_T a_Tᵀ) ⊗ (Σ_n g_T g_Tᵀ). Ignores what flows through the other positions.
     */
    LAST_TOKEN,
    /**
     * K-FAC-reduce: per example the mean input ā_n = (1/T_n) Σ_t a_t over real tokens and the summed output
     * gradient ĝ_n = Σ_t g_t; factors (1/N)(Σ_n ā ā ᵀ) ⊗ (Σ_n ĝ ĝᵀ). Exact when the inputs do not vary over
     * positions; the setting of a loss read after the shared dimension is reduced, as here (one answer per prompt).
     */
    REDUCE,
    /**
     * K-FAC-expand: every real position as its own example; factors (1/M)(Σ_{n,t} a aᵀ) ⊗ (Σ_{n,t} g gᵀ) with M the
     * number of real tokens. Drops the cross-position terms; Eschenhagen et al. derive it for losses summed over
     * positions. Default: measured against FULL on the tiny Llama (LoRA on q_proj/v_proj), its predictive
     * covariances were 1.6–8× closer than REDUCE's and LAST_TOKEN's (docs/LAPLACE.md; REDUCE was closer in log
     * evidence).
     */
    EXPAND;

    /**
     * Parses {@code last-token}, {@code reduce}, {@code expand}.
     *
     * @param s the CLI spelling or the enum name, case-insensitive
     * @return the positions
     */
    public static KfacPositions parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "last-token": case "last": return LAST_TOKEN;
            case "reduce": case "full-sequence": case "full-sequence-reduce": return REDUCE;
            case "expand": case "full-sequence-expand": return EXPAND;
            default: throw new IllegalArgumentException("unknown K-FAC positions '" + s
                    + "'; expected last-token, reduce or expand");
        }
    }
}
