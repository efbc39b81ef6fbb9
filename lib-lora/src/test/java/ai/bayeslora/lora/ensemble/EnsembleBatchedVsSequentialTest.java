package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.TestDevices;
import static ai.bayeslora.lora.ensemble.TestEnsembles.TARGETS;
import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.maxDiff;
import static ai.bayeslora.lora.ensemble.TestEnsembles.memberDiff;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batched inference (M·B rows, shared base GEMMs, stacked LoRA) against the sequential baseline (attach, run, detach
 * per member) on the tiny fixture model, with three members whose A and B are all random and non-zero.
 */
class EnsembleBatchedVsSequentialTest {
    private static final EnsembleOptions BATCHED = EnsembleOptions.builder().inference(EnsembleInference.BATCHED)
            .prefixSharing(false).build();
    private static final EnsembleOptions SEQUENTIAL = EnsembleOptions.builder()
            .inference(EnsembleInference.SEQUENTIAL).build();

    @Test
    void float32AnswerTokenReductionAgreesTo1e5() {
        double[] d = compare(DType.FLOAT32, ClassReduction.ANSWER_TOKENS);
        assertThat(d[0]).isLessThan(TestDevices.float32Tolerance());
    }

    @Test
    void float32FullVocabularyReductionAgreesTo1e5() {
        double[] d = compare(DType.FLOAT32, ClassReduction.FULL_VOCAB_WITH_OTHER);
        assertThat(d[0]).isLessThan(TestDevices.float32Tolerance());
    }

    /** Two float64 forwards of the same prompts in other shapes: within {@link RoundingBounds#tinyProbabilities}. */
    @Test
    void float64AgreesToRounding() {
        double tol = RoundingBounds.tinyProbabilities(2);
        assertThat(compare(DType.FLOAT64, ClassReduction.ANSWER_TOKENS)[0]).isLessThan(tol);
        assertThat(compare(DType.FLOAT64, ClassReduction.FULL_VOCAB_WITH_OTHER)[0]).isLessThan(tol);
    }

    /** Returns {max |batched − sequential|}; also checks that the members really differ. */
    private static double[] compare(DType dtype, ClassReduction reduction) {
        try (CausalLM model = TestEnsembles.tiny(dtype); HfTokenizer tok = TestEnsembles.tokenizer()) {
            LoraConfig cfg = config(4, 8, TARGETS);
            LoraEnsemble.Builder b = LoraEnsemble.builder(model, TestEnsembles.answers(tok));
            for (long seed : new long[] {11, 12, 13}) {
                b.member(randomMember(model, cfg, seed, 0.1), seed);
            }
            try (LoraEnsemble e = b.build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 6);
                ProbabilitySamples batched = e.predict(batch, BATCHED.toBuilder().reduction(reduction).build());
                ProbabilitySamples sequential = e.predict(batch, SEQUENTIAL.toBuilder().reduction(reduction).build());
                assertThat(batched.samples()).isEqualTo(3);
                assertThat(batched.batchSize()).isEqualTo(6);
                assertThat(batched.classLabels()).isEqualTo(reduction == ClassReduction.ANSWER_TOKENS
                        ? List.of("A", "B", "C", "D") : List.of("A", "B", "C", "D", "other"));
                // the members disagree clearly, so a swapped or repeated member would fail the comparison
                assertThat(memberDiff(sequential, 0, 1)).isGreaterThan(1e-3);
                assertThat(memberDiff(sequential, 1, 2)).isGreaterThan(1e-3);
                return new double[] {maxDiff(batched, sequential)};
            }
        }
    }

    /**
     * Members with different module sets, ranks and scales (zero-padded slots, per-member scale folded into B), one
     * of them adapting lm_head only at layer 1's modules plus the head: batched still equals sequential.
     */
    @Test
    void heterogeneousMembersAgree() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer()) {
            LoraConfig qv = config(2, 4, "q_proj", "v_proj"); // s = 2
            LoraConfig all = config(4, 4, TARGETS); // s = 1
            LoraConfig headAndDown = LoraConfig.builder().rank(8).alpha(4).targetModules("down_proj")
                    .layersToTransform(List.of(1)).build(); // s = 0.5, layer 1 only
            LoraConfig head = config(3, 6, "lm_head");
            try (LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                    .member(randomMember(model, qv, 1, 0.1))
                    .member(randomMember(model, all, 2, 0.1))
                    .member(randomMember(model, headAndDown, 3, 0.1))
                    .member(randomMember(model, head, 4, 0.1)).build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 5);
                for (ClassReduction r : ClassReduction.values()) {
                    ProbabilitySamples batched = e.predict(batch, BATCHED.toBuilder().reduction(r).build());
                    ProbabilitySamples sequential = e.predict(batch, SEQUENTIAL.toBuilder().reduction(r).build());
                    assertThat(maxDiff(batched, sequential)).as(r.name()).isLessThan(TestDevices.float32Tolerance());
                    assertThat(memberDiff(sequential, 2, 3)).isGreaterThan(1e-3);
                }
            }
        }
    }

    /**
     * Multi-token labels (" E", " False", " True" are several tokens): the stacked forward of the B·C expanded rows,
     * with and without a shared prefix and with an lm_head member, equals scoring each member alone.
     */
    @Test
    void multiTokenLabelsAgree() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT64); HfTokenizer tok = TestEnsembles.tokenizer()) {
            ai.bayeslora.core.text.AnswerTokens answers = ai.bayeslora.core.text.AnswerTokens.of(tok,
                    List.of("A", "E", "False", "True"));
            assertThat(answers.singleToken()).isFalse();
            LoraConfig top = LoraConfig.builder().rank(4).alpha(8).targetModules("v_proj", "lm_head")
                    .layersToTransform(List.of(1)).build();
            try (LoraEnsemble e = LoraEnsemble.builder(model, answers)
                    .member(randomMember(model, top, 21, 0.1)).member(randomMember(model, top, 22, 0.1))
                    .member(randomMember(model, config(2, 4, "lm_head"), 23, 0.1)).build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 5);
                ProbabilitySamples sequential = e.predict(batch, SEQUENTIAL);
                assertThat(sequential.classLabels()).containsExactly("A", "E", "False", "True");
                assertThat(memberDiff(sequential, 0, 1)).isGreaterThan(1e-3);
                double tol = answers.maxLength() * RoundingBounds.tinyProbabilities(2); // see ContinuationScoringTest
                for (boolean share : new boolean[] {false, true}) {
                    ProbabilitySamples batched = e.predict(batch, BATCHED.toBuilder().prefixSharing(share).build());
                    assertThat(maxDiff(batched, sequential)).as("prefix sharing %s", share).isLessThan(tol);
                }
            }
        }
    }

    /** A row budget splits the batch into example chunks; the probabilities do not change. */
    @Test
    void rowBudgetChunksGiveTheSameProbabilities() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT64); HfTokenizer tok = TestEnsembles.tokenizer()) {
            LoraConfig cfg = config(4, 8, TARGETS);
            try (LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                    .member(randomMember(model, cfg, 5, 0.1)).member(randomMember(model, cfg, 6, 0.1))
                    .member(randomMember(model, cfg, 7, 0.1)).build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 5);
                ProbabilitySamples whole = e.predict(batch, BATCHED);
                // 7 rows per pass with M = 3: 2 examples per pass, chunks of 2, 2, 1
                ProbabilitySamples chunked = e.predict(batch, BATCHED.toBuilder().maxRowsPerPass(7).build());
                assertThat(chunked.batchSize()).isEqualTo(5);
                double tol = RoundingBounds.tinyProbabilities(2); // float64, other batch shapes
                assertThat(maxDiff(whole, chunked)).isLessThan(tol);
                // the budget does not apply to sequential inference and never drops below one example per pass
                ProbabilitySamples tiny = e.predict(batch, BATCHED.toBuilder().maxRowsPerPass(1).build());
                assertThat(maxDiff(whole, tiny)).isLessThan(tol);
            }
        }
    }

    /** The CUDA row budget: whole examples of M rows within the budget, at least one, at most the batch. */
    @Test
    void rowsWithinTheBudgetCountWholeExamplesOfMRows() {
        long perRow = 38L << 20;
        assertThat(LoraEnsemble.rowsWithin(10 * 5 * perRow, perRow, 5, 32)).isEqualTo(10);
        assertThat(LoraEnsemble.rowsWithin(10 * 5 * perRow - 1, perRow, 5, 32)).isEqualTo(9);
        assertThat(LoraEnsemble.rowsWithin(perRow, perRow, 5, 32)).as("less than one example still runs one")
                .isEqualTo(1);
        assertThat(LoraEnsemble.rowsWithin(Long.MAX_VALUE / 2, perRow, 5, 32)).isEqualTo(32);
    }
}
