package ai.bayeslora.uncertainty.metrics;

import java.util.Locale;
import java.util.Objects;

/**
 * The standard metrics of a predictive on a labelled set (METHODS.md §7), computed by {@link Metrics#evaluate}.
 * Immutable.
 *
 * @param examples number of examples N
 * @param classes number of classes C
 * @param samples number of posterior samples or members S behind the predictive
 * @param accuracy top-1 accuracy of p̄, see {@link Accuracy}
 * @param nll mean negative log-likelihood in nats, see {@link NegativeLogLikelihood} (+∞ if a label has p̄ = 0)
 * @param brier multi-class Brier score, see {@link BrierScore}
 * @param calibration ECE, MCE, their bin count and the reliability diagram, see {@link ExpectedCalibrationError}
 * @param uncertainty per-example predictive entropy, expected entropy and mutual information, see
 *     {@link UncertaintyDecomposition}
 */
public record MetricReport(int examples, int classes, int samples, double accuracy, double nll, double brier,
        CalibrationResult calibration, UncertaintyDecomposition uncertainty) {

    /**
     * Checks that the components are present.
     *
     * @param examples number of examples N
     * @param classes number of classes C
     * @param samples number of posterior samples or members S behind the predictive
     * @param accuracy top-1 accuracy of p̄, see {@link Accuracy}
     * @param nll mean negative log-likelihood in nats, see {@link NegativeLogLikelihood} (+∞ if a label has p̄ = 0)
     * @param brier multi-class Brier score, see {@link BrierScore}
     * @param calibration ECE, MCE, their bin count and the reliability diagram, see {@link ExpectedCalibrationError}
     * @param uncertainty per-example predictive entropy, expected entropy and mutual information, see
     *     {@link UncertaintyDecomposition}
     */
    public MetricReport {
        Objects.requireNonNull(calibration, "calibration");
        Objects.requireNonNull(uncertainty, "uncertainty");
    }

    /** {@return the number of ECE bins} */
    public int eceBins() {
        return calibration.bins();
    }

    /**
     * ECE with {@link #eceBins()} bins.
     *
     * @return the ECE, in [0, 1]
     */
    public double ece() {
        return calibration.ece();
    }

    /**
     * MCE with {@link #eceBins()} bins.
     *
     * @return the MCE, in [0, 1]
     */
    public double mce() {
        return calibration.mce();
    }

    /** {@return the mean predictive (total) entropy in nats} */
    public double meanPredictiveEntropy() {
        return uncertainty.meanTotal();
    }

    /** {@return the mean expected (aleatoric) entropy in nats} */
    public double meanExpectedEntropy() {
        return uncertainty.meanAleatoric();
    }

    /** {@return the mean mutual information (epistemic) in nats} */
    public double meanMutualInformation() {
        return uncertainty.meanEpistemic();
    }

    /**
     * {@return one line for logs and tables, with the ECE bin count next to the value, e.g. {@code N=1221 C=5 S=5
     * acc=0.7813 NLL=0.6120 Brier=0.3105 ECE(15 bins)=0.0412 MCE=0.1830 H=0.702 EH=0.651 MI=0.051}}
     */
    public String summary() {
        return String.format(Locale.ROOT, "N=%d C=%d S=%d acc=%.4f NLL=%.4f Brier=%.4f ECE(%d bins)=%.4f MCE=%.4f "
                        + "H=%.3f EH=%.3f MI=%.3f", examples, classes, samples, accuracy, nll, brier, eceBins(), ece(),
                mce(), meanPredictiveEntropy(), meanExpectedEntropy(), meanMutualInformation());
    }
}
