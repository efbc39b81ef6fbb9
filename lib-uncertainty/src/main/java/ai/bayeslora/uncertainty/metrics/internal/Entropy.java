package ai.bayeslora.uncertainty.metrics.internal;

/** Shannon entropy in nats of one row of class probabilities. */
public final class Entropy {
    private Entropy() {
    }

    /**
     * H[p] = −Σ_c p_c log p_c with the convention 0 · log 0 = 0 (the limit of x log x as x → 0), METHODS.md §4.
     * The row is used as given (not renormalised).
     */
    public static double of(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }
}
