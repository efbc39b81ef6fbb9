package ai.bayeslora.uncertainty.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.Accuracy;
import ai.bayeslora.uncertainty.metrics.Aupr;
import ai.bayeslora.uncertainty.metrics.Auroc;
import ai.bayeslora.uncertainty.metrics.BrierScore;
import ai.bayeslora.uncertainty.metrics.CalibrationResult;
import ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError;
import ai.bayeslora.uncertainty.metrics.ExpectedEntropy;
import ai.bayeslora.uncertainty.metrics.InvalidMetricInputException;
import ai.bayeslora.uncertainty.metrics.LabeledProbabilities;
import ai.bayeslora.uncertainty.metrics.MutualInformation;
import ai.bayeslora.uncertainty.metrics.NegativeLogLikelihood;
import ai.bayeslora.uncertainty.metrics.PredictiveEntropy;
import ai.bayeslora.uncertainty.metrics.SelectivePrediction;
import ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link TensorMetrics} against the array forms of the metrics on random inputs: the tensor is widened to double
 * exactly and the same Java arithmetic runs on the same values, so results must be equal, not close (float32 inputs
 * are compared with the array path on their widened values). The values themselves are pinned by the hand-computed
 * oracles of the per-metric tests.
 */
class TensorMetricsTest {
    private static final int N = 64;
    private static final int C = 4;
    private static final int S = 3;

    /** Random rows on the simplex (normalised exponentials of Gaussians, some sharp). */
    private static double[] simplexRows(Random rnd, int rows) {
        double[] flat = new double[rows * C];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < C; c++) {
                flat[r * C + c] = Math.exp(3 * rnd.nextGaussian());
                sum += flat[r * C + c];
            }
            for (int c = 0; c < C; c++) {
                flat[r * C + c] /= sum;
            }
        }
        return flat;
    }

    private static double[][] matrix(double[] flat) {
        double[][] m = new double[flat.length / C][C];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(flat, i * C, m[i], 0, C);
        }
        return m;
    }

    @Test
    void float64TensorsGiveIdenticalValues() {
        Random rnd = new Random(2024);
        double[] flat = simplexRows(rnd, N);
        double[][] p = matrix(flat);
        int[] y = new int[N];
        long[] yl = new long[N];
        for (int i = 0; i < N; i++) {
            y[i] = rnd.nextInt(C);
            yl[i] = y[i];
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor pt = Tensors.ofDoubles(flat, N, C);
            Tensor yt = Tensors.ofLongs(yl, N);
            assertThat(TensorMetrics.accuracy(pt, yt)).isEqualTo(Accuracy.compute(p, y));
            assertThat(TensorMetrics.negativeLogLikelihood(pt, yt)).isEqualTo(NegativeLogLikelihood.compute(p, y));
            assertThat(TensorMetrics.brierScore(pt, yt)).isEqualTo(BrierScore.compute(p, y));
            CalibrationResult et = TensorMetrics.expectedCalibrationError(pt, yt, 15);
            CalibrationResult ea = ExpectedCalibrationError.compute(p, y, 15);
            assertThat(et.ece()).isEqualTo(ea.ece());
            assertThat(et.mce()).isEqualTo(ea.mce());
            assertThat(et.counts()).containsExactly(ea.counts());
            assertThat(TensorMetrics.riskCoverage(pt, yt).aurc()).isEqualTo(SelectivePrediction.compute(p, y).aurc());
            assertThat(TensorMetrics.entropyOfPredictive(pt)).containsExactly(PredictiveEntropy.perExample(p));

            // int32 labels are accepted too
            Tensor y32 = yt.to(org.bytedeco.pytorch.global.torch.ScalarType.Int);
            assertThat(TensorMetrics.accuracy(pt, y32)).isEqualTo(Accuracy.compute(p, y));

            // detection: score = predictive entropy, positives = misclassified
            double[] score = PredictiveEntropy.perExample(p);
            boolean[] wrong = LabeledProbabilities.of(p, y).misclassified();
            Tensor st = Tensors.ofDoubles(score, N);
            Tensor wt = Tensors.ofLongs(toLongs(wrong), N);
            Tensor wb = wt.to(org.bytedeco.pytorch.global.torch.ScalarType.Bool);
            assertThat(TensorMetrics.auroc(st, wt)).isEqualTo(Auroc.compute(score, wrong));
            assertThat(TensorMetrics.auroc(st, wb)).isEqualTo(Auroc.compute(score, wrong));
            assertThat(TensorMetrics.aupr(st, wb)).isEqualTo(Aupr.compute(score, wrong));
        }
    }

    @Test
    void float32TensorsMatchTheArrayPathOnWidenedValues() {
        Random rnd = new Random(7);
        double[] flat = simplexRows(rnd, N);
        float[] f = new float[flat.length];
        double[] widened = new double[flat.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) flat[i];
            widened[i] = f[i];
        }
        long[] yl = new long[N];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            y[i] = rnd.nextInt(C);
            yl[i] = y[i];
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor pt = Tensors.ofFloats(f, N, C);
            Tensor yt = Tensors.ofLongs(yl, N);
            double[][] p = matrix(widened);
            assertThat(TensorMetrics.negativeLogLikelihood(pt, yt)).isEqualTo(NegativeLogLikelihood.compute(p, y));
            assertThat(TensorMetrics.brierScore(pt, yt)).isEqualTo(BrierScore.compute(p, y));
            assertThat(TensorMetrics.expectedCalibrationError(pt, yt, 10).ece())
                    .isEqualTo(ExpectedCalibrationError.compute(p, y, 10).ece());
        }
    }

    @Test
    void sampleTensorMatchesProbabilitySamples() {
        Random rnd = new Random(11);
        double[] flat = simplexRows(rnd, S * N);
        ProbabilitySamples ps = new ProbabilitySamples(flat, S, N, C, List.of("A", "B", "C", "D"));
        try (PointerScope scope = new PointerScope()) {
            Tensor t = Tensors.ofDoubles(flat, S, N, C);
            UncertaintyDecomposition a = UncertaintyDecomposition.of(ps);
            UncertaintyDecomposition b = TensorMetrics.decomposition(t);
            assertThat(b.total()).containsExactly(a.total());
            assertThat(b.aleatoric()).containsExactly(a.aleatoric());
            assertThat(b.epistemic()).containsExactly(a.epistemic());
            assertThat(TensorMetrics.mutualInformation(t)).containsExactly(MutualInformation.perExample(ps));
            assertThat(TensorMetrics.expectedEntropy(t)).containsExactly(ExpectedEntropy.perExample(ps));
            assertThat(TensorMetrics.predictiveEntropy(t)).containsExactly(PredictiveEntropy.perExample(ps));
        }
    }

    @Test
    void samplesAndLabeledInputsHoldTheTensorsValues() {
        Random rnd = new Random(5);
        double[] flat = simplexRows(rnd, S * N);
        long[] yl = new long[N];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            y[i] = rnd.nextInt(C);
            yl[i] = y[i];
        }
        try (PointerScope scope = new PointerScope()) {
            ProbabilitySamples ps = TensorMetrics.probabilitySamples(Tensors.ofDoubles(flat, S, N, C));
            assertThat(ps.toArray()).containsExactly(flat);
            assertThat(ps.classLabels()).containsExactly("0", "1", "2", "3");
            assertThat(TensorMetrics.probabilitySamples(Tensors.ofDoubles(flat, S, N, C), List.of("A", "B", "C", "D"))
                    .classLabels()).containsExactly("A", "B", "C", "D");
            double[] first = java.util.Arrays.copyOf(flat, N * C);
            LabeledProbabilities l = TensorMetrics.labeledProbabilities(Tensors.ofDoubles(first, N, C),
                    Tensors.ofLongs(yl, N));
            assertThat(l.probabilities()).isDeepEqualTo(matrix(first));
            assertThat(l.labels()).containsExactly(y);
        }
    }

    @Test
    void shapesDtypesAndValuesAreChecked() {
        try (PointerScope scope = new PointerScope()) {
            var probs = Tensors.ofDoubles(new double[] {0.3, 0.7, 0.6, 0.4}, 2, 2);
            assertThatThrownBy(() -> TensorMetrics.accuracy(Tensors.ofDoubles(new double[] {0.3, 0.7}, 2),
                    Tensors.ofLongs(new long[] {0, 1}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("probabilities must have shape [N, C], got [2]");
            assertThatThrownBy(() -> TensorMetrics.accuracy(probs, Tensors.ofDoubles(new double[] {0, 1}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessageStartingWith("labels must be an integer tensor");
            assertThatThrownBy(() -> TensorMetrics.accuracy(probs, Tensors.ofLongs(new long[] {0, 7}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("label 7 of example 1 is outside [0, 1] (C = 2 classes)");
            // 2^32 would wrap to the valid class 0 if narrowed to int unchecked
            assertThatThrownBy(() -> TensorMetrics.accuracy(probs, Tensors.ofLongs(new long[] {0, 1L << 32}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("label 4294967296 of example 1 is outside [0, 1] (C = 2 classes)");
            assertThatThrownBy(() -> TensorMetrics.accuracy(Tensors.ofLongs(new long[] {0, 1, 1, 0}, 2, 2),
                    Tensors.ofLongs(new long[] {0, 1}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessageStartingWith("probabilities must be a floating-point tensor");
            assertThatThrownBy(() -> TensorMetrics.auroc(Tensors.ofDoubles(new double[] {0.1, 0.2}, 2),
                    Tensors.ofLongs(new long[] {0, 2}, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("positive flag of example 1 is 2, not 0 or 1");
            assertThatThrownBy(() -> TensorMetrics.decomposition(Tensors.ofDoubles(new double[] {0.2, 0.2}, 1, 1, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("probabilities of sample 0, example 0 sum to 0.4, not 1 (tolerance 1.0E-4)");
            assertThatThrownBy(() -> TensorMetrics.predictiveEntropy(Tensors.ofDoubles(new double[] {0.5, 0.5}, 1, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("probability samples must have shape [S, B, C], got [1, 2]");
            assertThatThrownBy(() -> TensorMetrics.predictiveEntropy(Tensors.ofDoubles(new double[0], 1, 0, 2)))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessageStartingWith("no examples");
            assertThatThrownBy(() -> TensorMetrics.probabilitySamples(Tensors.ofDoubles(new double[] {0.5, 0.5}, 1, 1,
                    2), List.of("A")))
                    .isInstanceOf(InvalidMetricInputException.class)
                    .hasMessage("1 class labels for 2 classes");
        }
    }

    private static long[] toLongs(boolean[] b) {
        long[] out = new long[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] ? 1 : 0;
        }
        return out;
    }
}
