package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The tensor overloads compute the same values as the array paths on random inputs. A consistency check only: the
 * values themselves are pinned by the hand-computed oracles of the per-metric tests.
 */
class TensorPathConsistencyTest {
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
            assertThat(Accuracy.compute(pt, yt)).isEqualTo(Accuracy.compute(p, y));
            assertThat(NegativeLogLikelihood.compute(pt, yt)).isEqualTo(NegativeLogLikelihood.compute(p, y));
            assertThat(BrierScore.compute(pt, yt)).isEqualTo(BrierScore.compute(p, y));
            CalibrationResult et = ExpectedCalibrationError.compute(pt, yt, 15);
            CalibrationResult ea = ExpectedCalibrationError.compute(p, y, 15);
            assertThat(et.ece()).isEqualTo(ea.ece());
            assertThat(et.mce()).isEqualTo(ea.mce());
            assertThat(et.counts()).containsExactly(ea.counts());
            assertThat(SelectivePrediction.compute(pt, yt).aurc()).isEqualTo(SelectivePrediction.compute(p, y).aurc());
            assertThat(PredictiveEntropy.perExampleOfPredictive(pt)).containsExactly(PredictiveEntropy.perExample(p));

            // int32 labels are accepted too
            Tensor y32 = yt.to(org.bytedeco.pytorch.global.torch.ScalarType.Int);
            assertThat(Accuracy.compute(pt, y32)).isEqualTo(Accuracy.compute(p, y));

            // detection: score = predictive entropy, positives = misclassified
            double[] score = PredictiveEntropy.perExample(p);
            boolean[] wrong = LabeledProbabilities.of(p, y).misclassified();
            Tensor st = Tensors.ofDoubles(score, N);
            Tensor wt = Tensors.ofLongs(toLongs(wrong), N);
            Tensor wb = wt.to(org.bytedeco.pytorch.global.torch.ScalarType.Bool);
            assertThat(Auroc.compute(st, wt)).isEqualTo(Auroc.compute(score, wrong));
            assertThat(Auroc.compute(st, wb)).isEqualTo(Auroc.compute(score, wrong));
            assertThat(Aupr.compute(st, wb)).isEqualTo(Aupr.compute(score, wrong));
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
            assertThat(NegativeLogLikelihood.compute(pt, yt)).isEqualTo(NegativeLogLikelihood.compute(p, y));
            assertThat(BrierScore.compute(pt, yt)).isEqualTo(BrierScore.compute(p, y));
            assertThat(ExpectedCalibrationError.compute(pt, yt, 10).ece())
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
            UncertaintyDecomposition b = UncertaintyDecomposition.of(t);
            assertThat(b.total()).containsExactly(a.total());
            assertThat(b.aleatoric()).containsExactly(a.aleatoric());
            assertThat(b.epistemic()).containsExactly(a.epistemic());
            assertThat(MutualInformation.perExample(t)).containsExactly(MutualInformation.perExample(ps));
            assertThat(ExpectedEntropy.perExample(t)).containsExactly(ExpectedEntropy.perExample(ps));
            assertThat(PredictiveEntropy.perExample(t)).containsExactly(PredictiveEntropy.perExample(ps));
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
