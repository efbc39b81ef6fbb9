package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.uncertainty.interop.TensorMetrics;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/** ECE / MCE with bins (b/B, (b+1)/B], 0 in the first bin, on hand-computed cases. */
class ExpectedCalibrationErrorTest {

    @Test
    void edgesZeroAndOneAndEmptyBinsWithFiveBins() {
        // B = 5: bins (0,.2] (.2,.4] (.4,.6] (.6,.8] (.8,1]; 0 goes to bin 0
        double[] conf = {0.0, 0.2, 0.6, 0.61, 1.0};
        boolean[] ok = {false, true, true, false, true};
        // bin 0: {0.0 F, 0.2 T}   n=2 acc=1/2 conf=0.1  gap 0.4
        // bin 1: empty            (contributes nothing, stats NaN)
        // bin 2: {0.6 T}          n=1 acc=1   conf=0.6  gap 0.4   (0.6 is an upper edge: (0.4, 0.6])
        // bin 3: {0.61 F}         n=1 acc=0   conf=0.61 gap 0.61
        // bin 4: {1.0 T}          n=1 acc=1   conf=1    gap 0
        // ECE = 2/5·0.4 + 1/5·0.4 + 1/5·0.61 + 0 = 0.16 + 0.08 + 0.122 = 0.362;  MCE = 0.61
        CalibrationResult r = ExpectedCalibrationError.compute(conf, ok, 5);
        assertThat(r.bins()).isEqualTo(5);
        assertThat(r.examples()).isEqualTo(5);
        assertThat(r.counts()).containsExactly(2, 0, 1, 1, 1);
        assertThat(r.ece()).isCloseTo(0.362, within(1e-15));
        assertThat(r.mce()).isCloseTo(0.61, within(1e-15));
        double[] acc = r.accuracy();
        double[] mean = r.confidence();
        assertThat(acc[1]).isNaN();
        assertThat(mean[1]).isNaN();
        assertThat(new double[] {acc[0], acc[2], acc[3], acc[4]}).containsExactly(0.5, 1.0, 0.0, 1.0);
        assertThat(mean[0]).isCloseTo(0.1, within(1e-16));
        assertThat(new double[] {mean[2], mean[3], mean[4]}).containsExactly(0.6, 0.61, 1.0);
        assertThat(r.lowerEdge(2)).isEqualTo(0.4);
        assertThat(r.upperEdge(2)).isEqualTo(0.6);
        assertThat(r.toString()).isEqualTo("ECE(5 bins)=0.3620 MCE=0.6100");
    }

    @Test
    void confidenceOnAnEdgeGoesToTheBinBelowEvenWhenTheProductRoundsUp() {
        // 0.28 = 7/25 exactly as doubles, and 0.28 · 25 = 7.000000000000001 in floating point, so ceil(c·B) would
        // say bin 7; the edge rule puts it in bin 6 = (0.24, 0.28].
        CalibrationResult r = ExpectedCalibrationError.compute(new double[] {0.28}, new boolean[] {true}, 25);
        assertThat(r.counts()[6]).isEqualTo(1);
        // the double just above 1/3, times 3, rounds to exactly 1.0: it must still go to bin 1 = (1/3, 2/3]
        double above = Math.nextUp(1.0 / 3);
        CalibrationResult s = ExpectedCalibrationError.compute(new double[] {above, 1.0 / 3}, new boolean[2], 3);
        assertThat(s.counts()).containsExactly(1, 1, 0);
    }

    @Test
    void probabilityPathWithDefaultFifteenBinsAndEdges() {
        double[][] p = {
            {0.9, 0.05, 0.05},  // conf 0.9 in (13/15, 14/15] = bin 13, label 0: correct
            {0.8, 0.1, 0.1},    // conf 0.8 = 12/15 exactly: bin 11 = (11/15, 12/15], label 1: wrong
            {0.5, 0.3, 0.2},    // conf 0.5 in (7/15, 8/15] = bin 7, label 0: correct
            {0.4, 0.35, 0.25},  // conf 0.4 = 6/15 exactly: bin 5 = (5/15, 6/15], label 2: wrong
        };
        int[] y = {0, 1, 0, 2};
        // every bin holds one example: ECE = (|1−0.9| + |0−0.8| + |1−0.5| + |0−0.4|) / 4 = 1.8 / 4 = 0.45; MCE = 0.8
        CalibrationResult r = ExpectedCalibrationError.compute(LabeledProbabilities.of(p, y));
        assertThat(r.bins()).isEqualTo(15);
        int[] counts = r.counts();
        assertThat(counts[5] + counts[7] + counts[11] + counts[13]).isEqualTo(4);
        assertThat(new int[] {counts[5], counts[7], counts[11], counts[13]}).containsOnly(1);
        assertThat(r.ece()).isCloseTo(0.45, within(1e-15));
        assertThat(r.mce()).isCloseTo(0.8, within(1e-15));

        // same data, B = 3: bin 1 = (1/3, 2/3] holds 0.5 (T) and 0.4 (F): acc 0.5, conf 0.45, gap 0.05;
        // bin 2 = (2/3, 1] holds 0.9 (T) and 0.8 (F): acc 0.5, conf 0.85, gap 0.35; bin 0 empty.
        // ECE = 2/4 · 0.05 + 2/4 · 0.35 = 0.2;  MCE = 0.35
        CalibrationResult three = ExpectedCalibrationError.compute(p, y, 3);
        assertThat(three.counts()).containsExactly(0, 2, 2);
        assertThat(three.ece()).isCloseTo(0.2, within(1e-15));
        assertThat(three.mce()).isCloseTo(0.35, within(1e-15));
    }

    @Test
    void perfectlyCalibratedBinGivesZero() {
        // both rows conf 0.5 (tie -> class 0), one right one wrong: acc 0.5 = conf 0.5 in the single used bin
        CalibrationResult r = ExpectedCalibrationError.compute(new double[][] {{0.5, 0.5}, {0.5, 0.5}},
                new int[] {0, 1}, 10);
        assertThat(r.ece()).isEqualTo(0.0);
        assertThat(r.mce()).isEqualTo(0.0);
        assertThat(r.counts()[4]).isEqualTo(2); // (0.4, 0.5]
    }

    @Test
    void float32TensorValuesAreWidenedExactlySoAnEdgeCanMove() {
        // documented: 0.6f = 0.6000000238..., above the double edge 0.6, so with B = 5 it goes to bin 3
        try (PointerScope scope = new PointerScope()) {
            CalibrationResult r = TensorMetrics.expectedCalibrationError(
                    Tensors.ofFloats(new float[] {0.6f, 0.4f}, 1, 2), Tensors.ofLongs(new long[] {0}, 1), 5);
            assertThat(r.counts()).containsExactly(0, 0, 0, 1, 0);
            CalibrationResult d = TensorMetrics.expectedCalibrationError(
                    Tensors.ofDoubles(new double[] {0.6, 0.4}, 1, 2), Tensors.ofLongs(new long[] {0}, 1), 5);
            assertThat(d.counts()).containsExactly(0, 0, 1, 0, 0);
        }
    }

    @Test
    void resultIsImmutable() {
        CalibrationResult r = ExpectedCalibrationError.compute(new double[] {0.3, 0.9}, new boolean[] {true, false}, 2);
        r.counts()[0] = 99;
        r.accuracy()[0] = 99;
        r.confidence()[0] = 99;
        assertThat(r.counts()).containsExactly(1, 1);
        assertThat(r.accuracy()[0]).isEqualTo(1.0);
        assertThat(r.confidence()[0]).isEqualTo(0.3);
    }
}
