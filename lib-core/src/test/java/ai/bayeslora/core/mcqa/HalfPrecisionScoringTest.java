package ai.bayeslora.core.mcqa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Class probabilities on a bf16 and an fp16 base (CPU, tiny Llama): the class logits leave the half dtype before the
 * softmax, and the "other" class of the full-vocabulary reduction is a logsumexp, so probabilities are finite, sum to
 * one to float32 rounding, and stay finite when the answer tokens hold nearly all the mass (where log(1 − Σ p_c) in
 * bf16 gave −∞).
 */
class HalfPrecisionScoringTest {

    /** Adds {@code shift} to the answer tokens' logits (an lm_head "adapter" that makes them dominate). */
    private static AdapterBinding boost(long[] answerIds, double shift) {
        LinearAdapter a = (x, base, rows) -> {
            Tensor add = Tensors.ofDoubles(new double[(int) base.size(-1)], base.size(-1)).to(base.scalar_type());
            if (rows == null) {
                for (long id : answerIds) {
                    add.narrow(0, id, 1).fill_(new Scalar(shift));
                }
            } else {
                add.fill_(new Scalar(shift)); // reading only the answer rows
            }
            return base.add(add);
        };
        return AdapterBinding.of(Map.of("lm_head", a));
    }

    @Test
    void fullVocabularyProbabilitiesAreFiniteAndSumToOneInHalfPrecision() {
        McqaDataset data = BundledData.syntheticMcqaDataset();
        for (DType dtype : new DType[] {DType.BFLOAT16, DType.FLOAT16, DType.FLOAT32}) {
            try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), ComputeDevice.cpu().withDType(dtype));
                 HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder()
                         .addBosFromConfig().build())) {
                AnswerTokens answers = AnswerTokens.of(tok, data.classLabels());
                AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.FULL_VOCAB_WITH_OTHER);
                EncodedBatch batch = McqaBatcher.forTokenizer(tok).encode(data.examples().subList(0, 6));
                for (double shift : new double[] {0, 40}) {
                    double[] logp = NativeScope.noGrad(() -> {
                        Tensor lp = scorer.logProbs(batch, shift == 0 ? AdapterBinding.none()
                                : boost(answers.ids(), shift));
                        assertThat(DType.of(lp.scalar_type())).as(dtype + ": log-probabilities' dtype")
                                .contains(DType.FLOAT32);
                        return Tensors.toDoubles(lp);
                    });
                    int c = scorer.numClasses();
                    for (int r = 0; r < 6; r++) {
                        double sum = 0;
                        for (int k = 0; k < c; k++) {
                            double v = logp[r * c + k];
                            assertThat(Double.isFinite(v)).as("%s shift %s row %d class %d: log p = %s", dtype, shift,
                                    r, k, v).isTrue();
                            sum += Math.exp(v);
                        }
                        // a float32 softmax over C + 1 entries: each p within a few float32 ulps, the sum γ_{C+1}
                        assertThat(sum).as("%s shift %s row %d", dtype, shift, r)
                                .isCloseTo(1.0, within(8 * (c + 1) * RoundingBounds.U32));
                    }
                    if (shift > 0) {
                        // the answers hold all but about V·e^{−40} of the mass: "other" is tiny yet finite
                        assertThat(logp[c - 1]).isLessThan(-20);
                    }
                }
            }
        }
    }
}
