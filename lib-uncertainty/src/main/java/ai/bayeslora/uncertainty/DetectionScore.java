package ai.bayeslora.uncertainty;

import ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition;

/** Per-example scores used to detect OOD inputs or misclassifications: higher means "more likely positive". */
public enum DetectionScore {
    /** Total uncertainty H[p̄]. */
    PREDICTIVE_ENTROPY("predictive entropy"),
    /** Epistemic uncertainty, the mutual information between label and parameters. */
    MUTUAL_INFORMATION("mutual information"),
    /** 1 − max_c p̄_c. */
    ONE_MINUS_MAX_PROBABILITY("1 - max p");

    private final String label;

    DetectionScore(String label) {
        this.label = label;
    }

    /** {@return the score's name in tables, for example {@code "mutual information"}} */
    public String label() {
        return label;
    }

    /** The score of every example of a decomposition / confidence pair. */
    double[] scores(UncertaintyDecomposition u, double[] confidence) {
        switch (this) {
            case PREDICTIVE_ENTROPY: return u.total();
            case MUTUAL_INFORMATION: return u.epistemic();
            default: {
                double[] s = new double[confidence.length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = 1 - confidence[i];
                }
                return s;
            }
        }
    }
}
