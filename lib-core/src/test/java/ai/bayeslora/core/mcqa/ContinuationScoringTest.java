package ai.bayeslora.core.mcqa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.AnswerTokenException;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-token verbalizers (docs/METHODS.md §1): class probabilities from the padded, expanded batch equal an
 * independent teacher-forced computation, one unpadded forward of the full logits per (prompt, label), summing the
 * label tokens' log-softmax at the positions before them, then a softmax over the classes.
 */
class ContinuationScoringTest {
    private static CausalLM model;
    private static HfTokenizer tok;
    private static McqaDataset data;

    @BeforeAll
    static void load() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64));
        tok = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder().addBosFromConfig().build());
        data = BundledData.syntheticMcqaDataset();
    }

    @AfterAll
    static void close() {
        tok.close();
        model.close();
    }

    /** The teacher-forced reference: log p(label | prompt) for one unpadded row. */
    private static double continuationLogLikelihood(long[] prompt, long[] label) {
        long[] ids = new long[prompt.length + label.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(label, 0, ids, prompt.length, label.length);
        Tensor logits = model.forward(ModelInput.of(Tensors.ofLongs(ids, 1, ids.length))); // [1, n, V]
        Tensor logp = torch.log_softmax(logits.select(0, 0), 1);
        double sum = 0;
        for (int j = 0; j < label.length; j++) {
            sum += logp.select(0, prompt.length - 1 + j).select(0, label[j]).item_double();
        }
        return sum;
    }

    @Test
    void multiTokenLabelsEqualTeacherForcedLikelihoods() {
        // " A" is one token; " E", " False", " True" are several on the fixture tokenizer
        AnswerTokens answers = AnswerTokens.of(tok, List.of("A", "E", "False", "True"));
        assertThat(answers.singleToken()).isFalse();
        assertThat(answers.sequence(0)).hasSize(1);
        assertThat(answers.sequence(1)).hasSize(2);
        assertThat(answers.maxLength()).isGreaterThan(2);
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        assertThat(scorer.singleToken()).isFalse();
        assertThat(scorer.classLabels()).containsExactly("A", "E", "False", "True");
        EncodedBatch batch = McqaBatcher.forTokenizer(tok).encode(data.examples().subList(0, 5)); // left-padded
        NativeScope.noGrad(() -> {
            double[] logp = Tensors.toDoubles(scorer.logProbs(batch, AdapterBinding.none()));
            double[] viaInput = Tensors.toDoubles(scorer.logProbs(new ModelInput(batch.inputIdsTensor(),
                    batch.attentionMaskTensor(), batch.positionIdsTensor()), AdapterBinding.none()));
            int c = answers.numClasses();
            // each label log-likelihood sums k ≤ maxLength token log-probabilities, each within 2‖δf‖ of the
            // reference's; the class softmax at most doubles that: k·tinyProbabilities bounds |δp|
            double bound = answers.maxLength() * RoundingBounds.tinyProbabilities(model.numLayers());
            for (int b = 0; b < batch.batchSize(); b++) {
                double[] g = new double[c];
                for (int k = 0; k < c; k++) {
                    g[k] = continuationLogLikelihood(batch.realTokens(b), answers.sequence(k));
                }
                double max = java.util.Arrays.stream(g).max().orElseThrow();
                double z = 0;
                for (double v : g) {
                    z += Math.exp(v - max);
                }
                for (int k = 0; k < c; k++) {
                    double p = Math.exp(g[k] - max) / z;
                    assertThat(Math.exp(logp[b * c + k])).as("prompt %d class %d", b, k)
                            .isCloseTo(p, org.assertj.core.api.Assertions.within(bound));
                    assertThat(Math.exp(viaInput[b * c + k])).isCloseTo(p, org.assertj.core.api.Assertions.within(bound));
                }
            }
            return null;
        });
    }

    @Test
    void singleTokenLabelsThroughTheContinuationPathEqualTheLastTokenFastPath() {
        // log p(" A") and the answer-token logit differ by the shared log Σ_v exp f_v, which the class softmax cancels
        AnswerTokens answers = AnswerTokens.of(tok, data.classLabels());
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        assertThat(scorer.singleToken()).isTrue();
        EncodedBatch batch = McqaBatcher.forTokenizer(tok).encode(data.examples().subList(0, 6));
        NativeScope.noGrad(() -> {
            double[] fast = Tensors.toDoubles(scorer.logProbs(batch, AdapterBinding.none()));
            double[] slow = Tensors.toDoubles(torch.log_softmax(ContinuationBatch.of(batch, answers)
                    .scores(model, AdapterBinding.none()), 1));
            for (int i = 0; i < fast.length; i++) {
                assertThat(Math.exp(slow[i])).isCloseTo(Math.exp(fast[i]),
                        org.assertj.core.api.Assertions.within(RoundingBounds.tinyProbabilities(model.numLayers())));
            }
            return null;
        });
    }

    @Test
    void expandedBatchLayout() {
        AnswerTokens answers = AnswerTokens.of(tok, List.of("A", "E"));
        EncodedBatch batch = McqaBatcher.forTokenizer(tok).encode(data.examples().subList(0, 3));
        ContinuationBatch cb = ContinuationBatch.of(batch, answers);
        EncodedBatch x = cb.expanded();
        assertThat(x.batchSize()).isEqualTo(6);
        assertThat(cb.reads()).isEqualTo(3 * (1 + 2));
        for (int b = 0; b < 3; b++) {
            for (int k = 0; k < 2; k++) {
                long[] want = new long[batch.realLength(b) + answers.sequence(k).length];
                System.arraycopy(batch.realTokens(b), 0, want, 0, batch.realLength(b));
                System.arraycopy(answers.sequence(k), 0, want, batch.realLength(b), answers.sequence(k).length);
                assertThat(x.realTokens(b * 2 + k)).containsExactly(want);
                assertThat(x.labels()[b * 2 + k]).isEqualTo(batch.labels()[b]);
                // positions continue the prompt's: 0..n-1 then n..n+k-1
                int len = x.length();
                for (int j = 0; j < want.length; j++) {
                    assertThat(x.positionIds()[(b * 2 + k) * len + len - want.length + j]).isEqualTo(j);
                }
            }
        }
    }

    @Test
    void theOtherClassIsRefusedForMultiTokenLabels() {
        AnswerTokens answers = AnswerTokens.of(tok, List.of("False", "True"));
        assertThatThrownBy(() -> new AnswerScorer(model, answers, ClassReduction.FULL_VOCAB_WITH_OTHER))
                .isInstanceOf(AnswerTokenException.class)
                .hasMessageContaining("\"False\"")
                .hasMessageContaining("full-vocabulary reduction");
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        assertThatThrownBy(() -> scorer.classLogitsFromHidden(null, AdapterBinding.none()))
                .isInstanceOf(AnswerTokenException.class);
    }
}
