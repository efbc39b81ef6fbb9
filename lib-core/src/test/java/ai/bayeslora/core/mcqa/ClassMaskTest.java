package ai.bayeslora.core.mcqa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Rows scored over their own choices, against closed forms: with logits g, a k-choice row under reduction (a) gets
 * softmax(g_0..g_{k−1}); under (b) the absent answers join "other", exp(g_other') = exp(g_other) + Σ_{c ≥ k} exp(g_c).
 * The tensor path (training loss, Laplace fit) and the probability path (any posterior's samples) agree with them to
 * a few ulps (|δ log p| ≤ 4u·max|g| for a logsumexp of ≤ 5 terms).
 */
class ClassMaskTest {
    private static final double[] G = {0.3, -1.2, 2.0, 0.7, -0.4}; // one row of 5 logits

    private static double[] softmax(double[] g, int k) {
        double z = 0;
        for (int c = 0; c < k; c++) {
            z += Math.exp(g[c]);
        }
        double[] p = new double[g.length];
        for (int c = 0; c < k; c++) {
            p[c] = Math.exp(g[c]) / z;
        }
        return p;
    }

    @Test
    void answerTokenRowsAreTheSoftmaxOverTheirChoices() {
        try (PointerScope s = new PointerScope()) {
            // two copies (members) of rows with 3 and 5 choices
            double[] g = new double[20];
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 5; c++) {
                    g[r * 5 + c] = G[c] + 0.1 * r;
                }
            }
            Tensor lp = torch.log_softmax(Tensors.ofDoubles(g, 4, 5), 1);
            double[] out = Tensors.toDoubles(ClassMask.logProbs(lp, new int[] {3, 5}, 2, ClassReduction.ANSWER_TOKENS));
            double[] viaProbabilities = Tensors.toDoubles(lp.exp());
            ClassMask.probabilities(viaProbabilities, 2, 5, new int[] {3, 5}, false);
            for (int r = 0; r < 4; r++) {
                double[] row = java.util.Arrays.copyOfRange(g, r * 5, r * 5 + 5);
                double[] want = softmax(row, r % 2 == 0 ? 3 : 5);
                for (int c = 0; c < 5; c++) {
                    assertThat(Math.exp(out[r * 5 + c])).as("row %d class %d", r, c).isCloseTo(want[c], within(1e-15));
                    assertThat(viaProbabilities[r * 5 + c]).isCloseTo(want[c], within(1e-15));
                }
            }
        }
    }

    @Test
    void fullVocabularyRowsMoveTheAbsentAnswersIntoOther() {
        try (PointerScope s = new PointerScope()) {
            // 4 answers and "other": g_other = 1.1; a 2-choice row
            double[] g = {G[0], G[1], G[2], G[3], 1.1};
            Tensor lp = torch.log_softmax(Tensors.ofDoubles(g, 1, 5), 1);
            double[] out = Tensors.toDoubles(ClassMask.logProbs(lp, new int[] {2}, 1,
                    ClassReduction.FULL_VOCAB_WITH_OTHER));
            double z = 0;
            for (double v : g) {
                z += Math.exp(v);
            }
            double[] want = {Math.exp(g[0]) / z, Math.exp(g[1]) / z, 0, 0,
                (Math.exp(g[2]) + Math.exp(g[3]) + Math.exp(g[4])) / z};
            double[] probs = Tensors.toDoubles(lp.exp());
            ClassMask.probabilities(probs, 1, 5, new int[] {2}, true);
            for (int c = 0; c < 5; c++) {
                assertThat(Math.exp(out[c])).isCloseTo(want[c], within(1e-15));
                assertThat(probs[c]).isCloseTo(want[c], within(1e-15));
            }
        }
    }

    @Test
    void fullRowsAndNoCountsAreUnchanged() {
        try (PointerScope s = new PointerScope()) {
            Tensor lp = torch.log_softmax(Tensors.ofDoubles(G, 1, 5), 1);
            assertThat(ClassMask.logProbs(lp, null, 1, ClassReduction.ANSWER_TOKENS)).isSameAs(lp);
            assertThat(ClassMask.logProbs(lp, new int[] {5}, 1, ClassReduction.ANSWER_TOKENS)).isSameAs(lp);
            assertThat(ClassMask.needed(new int[] {4, 4}, 4)).isFalse();
            assertThat(ClassMask.needed(new int[] {4, 3}, 4)).isTrue();
        }
    }
}
