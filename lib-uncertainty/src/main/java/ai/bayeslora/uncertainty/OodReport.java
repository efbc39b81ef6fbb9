package ai.bayeslora.uncertainty;

import ai.bayeslora.uncertainty.metrics.DetectionProblem;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Out-of-distribution detection: AUROC and AUPR (OOD = positive, higher score = more OOD) for each
 * {@link DetectionScore}, plus both predictions for histograms. Immutable.
 */
public final class OodReport {
    private final String posterior;
    private final Prediction inDomain;
    private final Prediction outOfDomain;
    private final Map<DetectionScore, double[]> results = new EnumMap<>(DetectionScore.class);

    OodReport(String posterior, Prediction inDomain, Prediction outOfDomain) {
        this.posterior = posterior;
        this.inDomain = inDomain;
        this.outOfDomain = outOfDomain;
        for (DetectionScore s : DetectionScore.values()) {
            double[] in = s.scores(inDomain.uncertainty(), inDomain.confidence());
            double[] out = s.scores(outOfDomain.uncertainty(), outOfDomain.confidence());
            results.put(s, EvaluationReport.detection(DetectionProblem.outOfDistribution(in, out)));
        }
    }

    /** {@return the posterior's name} */
    public String posterior() {
        return posterior;
    }

    /** {@return the prediction on the in-domain data (the negatives)} */
    public Prediction inDomain() {
        return inDomain;
    }

    /** {@return the prediction on the out-of-domain data (the positives)} */
    public Prediction outOfDomain() {
        return outOfDomain;
    }

    /**
     * AUROC of OOD detection with this score.
     *
     * @param score the uncertainty score (higher = more likely OOD)
     * @return the AUROC, in [0, 1]
     */
    public double auroc(DetectionScore score) {
        return results.get(score)[0];
    }

    /**
     * AUPR (average precision, OOD positive) with this score.
     *
     * @param score the uncertainty score (higher = more likely OOD)
     * @return the AUPR, in [0, 1]
     */
    public double aupr(DetectionScore score) {
        return results.get(score)[1];
    }

    /** {@return one line per score} */
    public String summary() {
        StringBuilder sb = new StringBuilder(posterior + " OOD detection (" + inDomain.size() + " in-domain, "
                + outOfDomain.size() + " OOD):");
        for (DetectionScore s : DetectionScore.values()) {
            sb.append(String.format(Locale.ROOT, "%n  %-20s AUROC %.4f  AUPR %.4f", s.label(), auroc(s), aupr(s)));
        }
        return sb.toString();
    }
}
