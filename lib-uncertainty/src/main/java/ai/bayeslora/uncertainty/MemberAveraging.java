package ai.bayeslora.uncertainty;

import java.util.Locale;

/**
 * How the S members or samples of a sample-based predictive are combined into one predictive distribution
 * (docs/METHODS.md §4, "Averaging members"). The per-sample probabilities are kept either way
 * ({@link Prediction#samples()}); the choice changes the predictive p̄ and everything computed from it (predicted
 * class, confidence, accuracy, NLL, Brier, ECE, predictive entropy), not the expected entropy or the mutual
 * information, which describe the samples themselves.
 */
public enum MemberAveraging {
    /**
     * p̄ = (1/S) Σ_s softmax(z_s): the mixture of the members, as Laplace-LoRA and SWAG-LoRA average. The default.
     */
    PROBABILITIES("probabilities"),
    /**
     * p̄ = softmax((1/S) Σ_s z_s), as BLoB's ensembles average. Computed from the class probabilities as the
     * normalised geometric mean softmax((1/S) Σ_s log p_s): log p_s = z_s − logsumexp(z_s), and softmax does not
     * change when one constant is added to every logit, so the two are equal.
     */
    LOGITS("logits");

    /**
     * The smallest log-probability used for a probability that underflowed to 0: log of the smallest positive
     * double, about −744.4. A class with p_s = 0 in some sample then gets a pooled probability of at most
     * exp(−744.4 / S) relative to the others (practically 0, the limit z → −∞), and an example where every class
     * underflowed in some sample still has a finite, normalised predictive.
     */
    static final double LOG_FLOOR = Math.log(Double.MIN_VALUE);

    private final String cliName;

    MemberAveraging(String cliName) {
        this.cliName = cliName;
    }

    /** {@return the name used on the command line and in report.json: {@code probabilities} or {@code logits}} */
    public String cliName() {
        return cliName;
    }

    /**
     * The averaging named {@code text} ({@link #cliName()}, case-insensitive; {@code probs} and {@code logit} are
     * accepted too).
     *
     * @param text the name, for example {@code probabilities} or {@code logits}
     * @return the averaging
     * @throws IllegalArgumentException naming the accepted values
     */
    public static MemberAveraging parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "probabilities", "probs", "probability" -> PROBABILITIES;
            case "logits", "logit" -> LOGITS;
            default -> throw new IllegalArgumentException("averaging must be probabilities or logits, got '" + text
                    + "'");
        };
    }

    /**
     * The predictive of one example from its S rows of class probabilities {@code p[s][c]}.
     *
     * <p>{@link #PROBABILITIES}: (Σ_s p_s) / S (sum, then divide, so that it stays in [0, 1]). {@link #LOGITS}: with
     * m_c = (Σ_s log p_{s,c}) / S, p̄_c = exp(m_c − max m) / Σ_k exp(m_k − max m) (shifted by the maximum so that the
     * largest term is exp(0) = 1 and nothing overflows).
     *
     * @param rows S ≥ 1 rows of C probabilities each
     * @return a new array of C probabilities summing to 1 (up to rounding); a copy of the row when S = 1
     */
    public double[] combine(double[][] rows) {
        int s = rows.length;
        int c = rows[0].length;
        if (s == 1) {
            return rows[0].clone(); // one sample: both averagings are the sample itself, exactly
        }
        double[] out = new double[c];
        if (this == PROBABILITIES) {
            for (double[] row : rows) {
                for (int j = 0; j < c; j++) {
                    out[j] += row[j];
                }
            }
            for (int j = 0; j < c; j++) {
                out[j] /= s;
            }
            return out;
        }
        for (double[] row : rows) {
            for (int j = 0; j < c; j++) {
                out[j] += Math.max(Math.log(row[j]), LOG_FLOOR);
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            out[j] /= s;
            max = Math.max(max, out[j]);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            out[j] = Math.exp(out[j] - max);
            sum += out[j];
        }
        for (int j = 0; j < c; j++) {
            out[j] /= sum;
        }
        return out;
    }

    /**
     * {@return the predictive p̄ of every example of {@code samples}, [B][C]}
     *
     * @param samples per-member or per-sample probabilities [S, B, C]
     */
    public double[][] combine(ProbabilitySamples samples) {
        double[][] out = new double[samples.batchSize()][];
        double[][] rows = new double[samples.samples()][samples.numClasses()];
        for (int b = 0; b < out.length; b++) {
            for (int s = 0; s < rows.length; s++) {
                for (int j = 0; j < rows[s].length; j++) {
                    rows[s][j] = samples.get(s, b, j);
                }
            }
            out[b] = combine(rows);
        }
        return out;
    }
}
