package ai.bayeslora.uncertainty.metrics.internal;

import ai.bayeslora.uncertainty.metrics.InvalidMetricInputException;

/** Input validation shared by the metrics; every failure is an {@link InvalidMetricInputException}. */
public final class Checks {
    private Checks() {
    }

    /** Throws unless {@code n ≥ 1}. */
    public static void nonEmpty(int n, String what) {
        if (n < 1) {
            throw new InvalidMetricInputException("no examples: need at least one for " + what);
        }
    }

    /** Throws unless the two lengths agree. */
    public static void sameLength(int a, String aName, int b, String bName) {
        if (a != b) {
            throw new InvalidMetricInputException(aName + " (" + a + ") and " + bName + " (" + b + ") differ in length");
        }
    }

    /** Throws unless the tolerance is a finite number ≥ 0. */
    public static void tolerance(double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new InvalidMetricInputException("row-sum tolerance must be finite and >= 0, got " + tolerance);
        }
    }

    /**
     * Checks one row of class probabilities: every value in [0, 1] (NaN rejected) and |Σ_c p_c − 1| ≤ tolerance.
     *
     * @param where e.g. "example 3" or "sample 1, example 3", for the message
     */
    public static void probabilityRow(double[] row, double tolerance, String where) {
        double sum = 0;
        for (int c = 0; c < row.length; c++) {
            double v = row[c];
            if (Double.isNaN(v)) {
                throw new InvalidMetricInputException("probability of " + where + ", class " + c + " is NaN");
            }
            if (v < 0 || v > 1) {
                throw new InvalidMetricInputException("probability " + v + " of " + where + ", class " + c
                        + " is outside [0, 1]");
            }
            sum += v;
        }
        if (Math.abs(sum - 1) > tolerance) {
            throw new InvalidMetricInputException("probabilities of " + where + " sum to " + sum
                    + ", not 1 (tolerance " + tolerance + ")");
        }
    }

    /**
     * Checks a [N][C] matrix of class probabilities: N ≥ 1, C ≥ 1, every row of length C and valid by
     * {@link #probabilityRow}.
     *
     * @return C
     */
    public static int probabilityMatrix(double[][] p, double tolerance) {
        tolerance(tolerance);
        nonEmpty(p.length, "the metrics");
        if (p[0] == null || p[0].length == 0) {
            throw new InvalidMetricInputException("example 0 has no class probabilities (need C >= 1)");
        }
        int c = p[0].length;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == null || p[i].length != c) {
                throw new InvalidMetricInputException("example " + i + " has " + (p[i] == null ? 0 : p[i].length)
                        + " class probabilities, example 0 has " + c);
            }
            probabilityRow(p[i], tolerance, "example " + i);
        }
        return c;
    }

    /** Throws unless {@code 0 ≤ label < classes}. */
    public static void label(long label, int example, int classes) {
        if (label < 0 || label >= classes) {
            throw new InvalidMetricInputException("label " + label + " of example " + example + " is outside [0, "
                    + (classes - 1) + "] (C = " + classes + " classes)");
        }
    }

    /** Throws if any score is NaN (±∞ are ordered and allowed). */
    public static void scores(double[] scores, String what) {
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new InvalidMetricInputException(what + " of example " + i + " is NaN");
            }
        }
    }
}
