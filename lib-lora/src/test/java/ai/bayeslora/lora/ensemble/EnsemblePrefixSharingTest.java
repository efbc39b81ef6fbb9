package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.TestDevices;
import static ai.bayeslora.lora.ensemble.TestEnsembles.maxDiff;
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
 * Prefix sharing (embedding and the unadapted bottom layers run once for B rows, then repeated M times) against the
 * full batched computation and against sequential evaluation.
 */
class EnsemblePrefixSharingTest {
    private static final String[] LAYER_TARGETS = {"q_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    private static final EnsembleOptions SHARED = EnsembleOptions.builder().prefixSharing(true).build();
    private static final EnsembleOptions FULL = EnsembleOptions.builder().prefixSharing(false).build();
    private static final EnsembleOptions SEQUENTIAL = EnsembleOptions.builder()
            .inference(EnsembleInference.SEQUENTIAL).build();

    private static LoraConfig layers(int rank, Integer... indices) {
        return LoraConfig.builder().rank(rank).alpha(2 * rank).targetModules(LAYER_TARGETS)
                .layersToTransform(List.of(indices)).build();
    }

    @Test
    void tinyModelWithMembersOnLayerOneSharesLayerZero() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dtype == DType.FLOAT32 ? TestDevices.float32Tolerance() : RoundingBounds.tinyProbabilities(2);
            try (CausalLM model = TestEnsembles.tiny(dtype); HfTokenizer tok = TestEnsembles.tokenizer();
                 LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                         .member(randomMember(model, layers(4, 1), 1, 0.1))
                         .member(randomMember(model, layers(4, 1), 2, 0.1))
                         .member(randomMember(model, layers(2, 1), 3, 0.1)).build()) {
                assertThat(e.sharedPrefixLayers()).isEqualTo(1);
                check(e, TestEnsembles.batch(tok, 6), tol);
            }
        }
    }

    @Test
    void fourLayerModelWithMembersOnTheTopHalfSharesTwoLayers() {
        try (CausalLM model = TestEnsembles.fourLayers(5); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(randomMember(model, layers(4, 2, 3), 1, 0.1))
                     .member(randomMember(model, layers(4, 3), 2, 0.1))
                     .member(randomMember(model, layers(8, 2, 3), 3, 0.1)).build()) {
            assertThat(model.numLayers()).isEqualTo(4);
            assertThat(e.sharedPrefixLayers()).isEqualTo(2);
            check(e, TestEnsembles.batch(tok, 6), TestDevices.float32Tolerance());
        }
    }

    @Test
    void headOnlyMembersShareTheWholeStack() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(randomMember(model, TestEnsembles.config(4, 8, "lm_head"), 1, 0.1))
                     .member(randomMember(model, TestEnsembles.config(4, 8, "lm_head"), 2, 0.1)).build()) {
            assertThat(e.sharedPrefixLayers()).isEqualTo(2);
            check(e, TestEnsembles.batch(tok, 5), TestDevices.float32Tolerance());
        }
    }

    @Test
    void theLowestAdaptedLayerOfAnyMemberBoundsThePrefix() {
        try (CausalLM model = TestEnsembles.fourLayers(6); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(randomMember(model, layers(4, 3), 1, 0.1))
                     .member(randomMember(model, layers(4, 1, 3), 2, 0.1)).build()) {
            assertThat(e.sharedPrefixLayers()).isEqualTo(1);
            check(e, TestEnsembles.batch(tok, 4), TestDevices.float32Tolerance());
        }
    }

    private static void check(LoraEnsemble e, EncodedBatch batch, double tol) {
        for (ClassReduction r : ClassReduction.values()) {
            ProbabilitySamples shared = e.predict(batch, SHARED.toBuilder().reduction(r).build());
            ProbabilitySamples full = e.predict(batch, FULL.toBuilder().reduction(r).build());
            ProbabilitySamples sequential = e.predict(batch, SEQUENTIAL.toBuilder().reduction(r).build());
            assertThat(maxDiff(shared, full)).as("shared vs full, %s", r).isLessThan(tol);
            assertThat(maxDiff(shared, sequential)).as("shared vs sequential, %s", r).isLessThan(tol);
            assertThat(TestEnsembles.memberDiff(sequential, 0, 1)).as("members differ").isGreaterThan(1e-4);
        }
    }
}
