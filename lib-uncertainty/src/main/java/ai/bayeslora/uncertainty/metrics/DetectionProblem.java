package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.metrics.internal.Checks;

/**
 * Scores and binary ground truth for a detection metric ({@link Auroc}, {@link Aupr}), METHODS.md §7. A higher score
 * means "more likely positive": use an uncertainty such as predictive entropy, mutual information or 1 − max_c p̄_c.
 * The positives are the out-of-distribution examples (in-domain examples are the negatives) or the misclassified ones.
 * Immutable; scores must not be NaN (±∞ are allowed). Having both classes is checked by the metrics, which throw
 * {@link UndefinedMetricException} otherwise.
 */
public final class DetectionProblem {
    private final double[] scores;
    private final boolean[] positives;

    private DetectionProblem(double[] scores, boolean[] positives) {
        this.scores = scores;
        this.positives = positives;
    }

    /**
     * Scores with their labels (true = positive).
     *
     * @param scores detection scores (higher = more likely positive); copied
     * @param positives the true positives, one per score; copied
     * @return the problem
     * @throws InvalidMetricInputException if empty, the lengths differ, or a score is NaN
     */
    public static DetectionProblem of(double[] scores, boolean[] positives) {
        Checks.nonEmpty(scores.length, "a detection metric");
        Checks.sameLength(scores.length, "scores", positives.length, "positive flags");
        Checks.scores(scores, "score");
        return new DetectionProblem(scores.clone(), positives.clone());
    }

    /**
     * OOD detection: in-domain examples are the negatives, OOD examples the positives (in-domain first).
     *
     * @param inDomainScores the scores of in-domain examples
     * @param oodScores the scores of out-of-domain examples
     * @return the problem, in-domain examples first
     */
    public static DetectionProblem outOfDistribution(double[] inDomainScores, double[] oodScores) {
        double[] s = new double[inDomainScores.length + oodScores.length];
        boolean[] pos = new boolean[s.length];
        System.arraycopy(inDomainScores, 0, s, 0, inDomainScores.length);
        System.arraycopy(oodScores, 0, s, inDomainScores.length, oodScores.length);
        for (int i = inDomainScores.length; i < s.length; i++) {
            pos[i] = true;
        }
        return of(s, pos);
    }

    /**
     * Misclassification detection: the misclassified examples of {@code predictions} are the positives.
     *
     * @param scores one score per example of {@code predictions}, for example the predictive entropy
     * @param predictions the predictive with labels
     * @return the problem
     */
    public static DetectionProblem misclassification(double[] scores, LabeledProbabilities predictions) {
        Checks.sameLength(scores.length, "scores", predictions.size(), "predictions");
        return of(scores, predictions.misclassified());
    }

    /** {@return the number of examples} */
    public int size() {
        return scores.length;
    }

    /** {@return the scores (a copy)} */
    public double[] scores() {
        return scores.clone();
    }

    /** {@return the positive flags (a copy)} */
    public boolean[] positives() {
        return positives.clone();
    }

    /** {@return the number of positives} */
    public int positiveCount() {
        int n = 0;
        for (boolean p : positives) {
            n += p ? 1 : 0;
        }
        return n;
    }

    /** Throws {@link UndefinedMetricException} unless both positives and negatives are present. */
    void requireBothClasses(String metric) {
        int pos = positiveCount();
        if (pos == 0 || pos == scores.length) {
            throw new UndefinedMetricException(metric + " is undefined: all " + scores.length + " examples are "
                    + (pos == 0 ? "negatives (no positives)" : "positives (no negatives)")
                    + "; it needs both classes");
        }
    }

    double score(int i) {
        return scores[i];
    }

    boolean positive(int i) {
        return positives[i];
    }
}
