package ai.bayeslora.core.mcqa;

import ai.bayeslora.core.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Scores a row with fewer choices than the dataset's classes over its own choices (docs/METHODS.md §1, rows with
 * other choice counts): a 3-choice ARC row in a 5-class set gets p = softmax over its 3 answer logits. Under reduction
 * (a) the absent classes get probability 0 and the others are renormalised, p'_c = p_c / Σ_{c &lt; k} p_c; under (b)
 * the absent answers' mass joins "other" (they are not answers of that row), p'_other = p_other + Σ_{c ≥ k} p_c. Both
 * equal the softmax of the class logits with the absent ones removed (or merged into "other" by logsumexp), so the
 * mask may be applied to each sample's probabilities after any posterior. Stateless.
 */
public final class ClassMask {
    private ClassMask() {
    }

    /**
     * Whether any row needs masking.
     *
     * @param counts each row's number of choices, or null
     * @param answers the scorer's number of answer classes C
     * @return true if some row has fewer than {@code answers} choices
     */
    public static boolean needed(int[] counts, int answers) {
        if (counts == null) {
            return false;
        }
        for (int k : counts) {
            if (k < answers) {
                return true;
            }
        }
        return false;
    }

    /**
     * Masks class log-probabilities (differentiable; the training loss of a row is then its NLL over its own choices).
     *
     * @param logProbs [copies·B, C'] with C' = C, or C + 1 with "other" last
     * @param counts each of the B rows' number of choices, or null (returned unchanged)
     * @param copies how many stacked copies of the B rows (ensemble members stacked member-major)
     * @param reduction the scorer's reduction
     * @return [copies·B, C'] renormalised log-probabilities
     */
    public static Tensor logProbs(Tensor logProbs, int[] counts, int copies, ClassReduction reduction) {
        int classes = (int) logProbs.size(1);
        int answers = reduction == ClassReduction.ANSWER_TOKENS ? classes : classes - 1;
        if (!needed(counts, answers)) {
            return logProbs;
        }
        long rows = logProbs.size(0);
        long[] absent = new long[(int) rows * classes];
        for (int m = 0; m < copies; m++) {
            for (int b = 0; b < counts.length; b++) {
                int r = m * counts.length + b;
                for (int c = Math.max(0, counts[b]); c < answers; c++) {
                    absent[r * classes + c] = 1;
                }
            }
        }
        Tensor absentMask = Tensors.ofLongs(absent, rows, classes).to(logProbs.device(), ScalarType.Bool);
        Tensor present = logProbs.masked_fill(absentMask, new Scalar(Double.NEGATIVE_INFINITY));
        if (reduction == ClassReduction.ANSWER_TOKENS) {
            return torch.log_softmax(present, 1);
        }
        // (b): other' = log(p_other + Σ_absent p_c); answers keep their values, the absent ones become −∞
        Tensor absentOnly = logProbs.masked_fill(absentMask.logical_not(), new Scalar(Double.NEGATIVE_INFINITY));
        Tensor otherCol = logProbs.narrow(1, classes - 1, 1);
        Tensor merged = torch.cat(new TensorVector(absentOnly.narrow(1, 0, answers), otherCol), 1)
                .logsumexp(new long[] {1}, true);
        return torch.cat(new TensorVector(present.narrow(1, 0, answers), merged), 1);
    }

    /**
     * Masks probability samples in place: {@code p[s][b][c]} row-major.
     *
     * @param p [samples·B·C'] probabilities
     * @param samples S
     * @param classes C'
     * @param counts each of the B rows' number of choices, or null (nothing changes)
     * @param withOther whether the last class is "other" (reduction (b))
     */
    public static void probabilities(double[] p, int samples, int classes, int[] counts, boolean withOther) {
        int answers = withOther ? classes - 1 : classes;
        if (!needed(counts, answers)) {
            return;
        }
        int b = counts.length;
        for (int s = 0; s < samples; s++) {
            for (int r = 0; r < b; r++) {
                int k = Math.max(0, Math.min(counts[r], answers));
                if (k == answers) {
                    continue;
                }
                int base = (s * b + r) * classes;
                double absent = 0;
                for (int c = k; c < answers; c++) {
                    absent += p[base + c];
                    p[base + c] = 0;
                }
                if (withOther) {
                    p[base + classes - 1] += absent;
                } else {
                    double kept = 1 - absent;
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        sum += p[base + c];
                    }
                    // renormalise by the kept mass (summed directly: 1 − absent loses digits when absent ≈ 1)
                    double z = sum > 0 ? sum : kept;
                    for (int c = 0; c < k; c++) {
                        p[base + c] /= z;
                    }
                }
            }
        }
    }
}
