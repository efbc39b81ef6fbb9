package ai.bayeslora.uncertainty.interop;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.Accuracy;
import ai.bayeslora.uncertainty.metrics.Aupr;
import ai.bayeslora.uncertainty.metrics.Auroc;
import ai.bayeslora.uncertainty.metrics.BrierScore;
import ai.bayeslora.uncertainty.metrics.CalibrationResult;
import ai.bayeslora.uncertainty.metrics.DetectionProblem;
import ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError;
import ai.bayeslora.uncertainty.metrics.ExpectedEntropy;
import ai.bayeslora.uncertainty.metrics.InvalidMetricInputException;
import ai.bayeslora.uncertainty.metrics.LabeledProbabilities;
import ai.bayeslora.uncertainty.metrics.MutualInformation;
import ai.bayeslora.uncertainty.metrics.NegativeLogLikelihood;
import ai.bayeslora.uncertainty.metrics.PredictiveEntropy;
import ai.bayeslora.uncertainty.metrics.RiskCoverageCurve;
import ai.bayeslora.uncertainty.metrics.SelectivePrediction;
import ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition;
import ai.bayeslora.uncertainty.metrics.internal.TensorInputs;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * The metrics of {@link ai.bayeslora.uncertainty.metrics} on libtorch tensors: the one place that takes tensor input.
 * Each method copies its tensors (any device; probabilities and scores of any floating dtype, widened exactly to
 * double; labels of an integer dtype; positives bool or 0/1 integer) into Java arrays and calls the array form named in
 * its comment, so results equal those of the array form on the tensor's values bit for bit. Shapes and dtypes are
 * checked here, values (ranges, row sums with tolerance {@value LabeledProbabilities#DEFAULT_TOLERANCE}, label range)
 * by the array form; every failure is an {@link InvalidMetricInputException} naming the input and the example.
 */
public final class TensorMetrics {
    private TensorMetrics() {
    }

    /**
     * {@return probabilities [N, C] and labels [N] as validated metric input, row sums checked with tolerance
     * {@value LabeledProbabilities#DEFAULT_TOLERANCE}; see {@link LabeledProbabilities#of(double[][], int[])}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer (int64 as the data loaders produce, or int32, int16, int8, uint8)
     */
    public static LabeledProbabilities labeledProbabilities(Tensor probabilities, Tensor labels) {
        return labeledProbabilities(probabilities, labels, LabeledProbabilities.DEFAULT_TOLERANCE);
    }

    /**
     * {@return probabilities [N, C] and labels [N] as validated metric input with an explicit row-sum tolerance; see
     * {@link LabeledProbabilities#of(double[][], int[], double)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     * @param tolerance the largest accepted |Σ_c p̄_c − 1| of a row
     */
    public static LabeledProbabilities labeledProbabilities(Tensor probabilities, Tensor labels, double tolerance) {
        double[][] rows = TensorInputs.matrix(probabilities, "probabilities");
        int classes = rows.length > 0 ? rows[0].length : 0;
        return LabeledProbabilities.of(rows, TensorInputs.classIndices(labels, classes), tolerance);
    }

    /**
     * {@return the class probabilities of S samples for B examples, a [S, B, C] tensor, as {@link ProbabilitySamples}
     * with class labels "0" … "C−1"} Every row is checked as by {@link LabeledProbabilities} (values in [0, 1], sum 1
     * within {@value LabeledProbabilities#DEFAULT_TOLERANCE}); B must be at least 1.
     *
     * @param samples p [S, B, C], floating
     */
    public static ProbabilitySamples probabilitySamples(Tensor samples) {
        return TensorInputs.samples(samples, null);
    }

    /**
     * {@return as {@link #probabilitySamples(Tensor)} with the given class labels}
     *
     * @param samples p [S, B, C], floating
     * @param classLabels C labels, e.g. A–D
     */
    public static ProbabilitySamples probabilitySamples(Tensor samples, List<String> classLabels) {
        return TensorInputs.samples(samples, List.copyOf(classLabels));
    }

    /**
     * {@return a detection problem from [N] scores and [N] positives; see
     * {@link DetectionProblem#of(double[], boolean[])}}
     *
     * @param scores a [N] floating tensor, higher = more likely positive
     * @param positives a [N] bool or 0/1 integer tensor
     */
    public static DetectionProblem detectionProblem(Tensor scores, Tensor positives) {
        return DetectionProblem.of(TensorInputs.vector(scores, "scores"), TensorInputs.flags(positives, "positive flag"));
    }

    /**
     * {@return the top-1 accuracy, in [0, 1]; {@link Accuracy#compute(LabeledProbabilities)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     */
    public static double accuracy(Tensor probabilities, Tensor labels) {
        return Accuracy.compute(labeledProbabilities(probabilities, labels));
    }

    /**
     * {@return the mean negative log-likelihood in nats; {@link NegativeLogLikelihood#compute(LabeledProbabilities)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     */
    public static double negativeLogLikelihood(Tensor probabilities, Tensor labels) {
        return NegativeLogLikelihood.compute(labeledProbabilities(probabilities, labels));
    }

    /**
     * {@return the Brier score, in [0, 2]; {@link BrierScore#compute(LabeledProbabilities)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     */
    public static double brierScore(Tensor probabilities, Tensor labels) {
        return BrierScore.compute(labeledProbabilities(probabilities, labels));
    }

    /**
     * {@return ECE, MCE and the per-bin reliability data; {@link ExpectedCalibrationError#compute(LabeledProbabilities,
     * int)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     * @param bins the number of equal-width confidence bins, at least 1
     */
    public static CalibrationResult expectedCalibrationError(Tensor probabilities, Tensor labels, int bins) {
        return ExpectedCalibrationError.compute(labeledProbabilities(probabilities, labels), bins);
    }

    /**
     * {@return the risk–coverage curve with confidence max_c p̄_c; {@link
     * SelectivePrediction#compute(LabeledProbabilities)}}
     *
     * @param probabilities p̄ [N, C], floating
     * @param labels true classes [N], integer
     */
    public static RiskCoverageCurve riskCoverage(Tensor probabilities, Tensor labels) {
        return SelectivePrediction.compute(labeledProbabilities(probabilities, labels));
    }

    /**
     * {@return the AUROC, in [0, 1]; {@link Auroc#compute(DetectionProblem)}}
     *
     * @param scores a [N] floating tensor, higher = more likely positive
     * @param positives a [N] bool or 0/1 integer tensor
     */
    public static double auroc(Tensor scores, Tensor positives) {
        return Auroc.compute(detectionProblem(scores, positives));
    }

    /**
     * {@return the average precision, in [0, 1]; {@link Aupr#compute(DetectionProblem)}}
     *
     * @param scores a [N] floating tensor, higher = more likely positive
     * @param positives a [N] bool or 0/1 integer tensor
     */
    public static double aupr(Tensor scores, Tensor positives) {
        return Aupr.compute(detectionProblem(scores, positives));
    }

    /**
     * {@return H[p̄_b] in nats per example of samples [S, B, C]; {@link
     * PredictiveEntropy#perExample(ProbabilitySamples)}}
     *
     * @param samples p [S, B, C], floating
     */
    public static double[] predictiveEntropy(Tensor samples) {
        return PredictiveEntropy.perExample(probabilitySamples(samples));
    }

    /**
     * {@return H[p_n] in nats per row of a predictive [N, C] given directly (e.g. one MAP model); {@link
     * PredictiveEntropy#perExample(double[][])}}
     *
     * @param probabilities p [N, C], floating
     */
    public static double[] entropyOfPredictive(Tensor probabilities) {
        return PredictiveEntropy.perExample(TensorInputs.matrix(probabilities, "probabilities"));
    }

    /**
     * {@return (1/S) Σ_s H[p_s] in nats per example of samples [S, B, C]; {@link
     * ExpectedEntropy#perExample(ProbabilitySamples)}}
     *
     * @param samples p [S, B, C], floating
     */
    public static double[] expectedEntropy(Tensor samples) {
        return ExpectedEntropy.perExample(probabilitySamples(samples));
    }

    /**
     * {@return the mutual information in nats per example of samples [S, B, C]; {@link
     * MutualInformation#perExample(ProbabilitySamples)}}
     *
     * @param samples p [S, B, C], floating
     */
    public static double[] mutualInformation(Tensor samples) {
        return MutualInformation.perExample(probabilitySamples(samples));
    }

    /**
     * {@return the total / aleatoric / epistemic decomposition of samples [S, B, C]; {@link
     * UncertaintyDecomposition#of(ProbabilitySamples)}}
     *
     * @param samples p [S, B, C], floating
     */
    public static UncertaintyDecomposition decomposition(Tensor samples) {
        return UncertaintyDecomposition.of(probabilitySamples(samples));
    }
}
