package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.TestDevices;
import static ai.bayeslora.lora.ensemble.TestEnsembles.TARGETS;
import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

/**
 * Member m of the ensemble against an independent path: a separate adapter with the same values, scored alone by
 * {@link AnswerScorer} with its own binding. Another adapter of the same model must not leak into the ensemble's
 * prediction.
 */
class EnsembleMemberTest {

    @Test
    void eachMemberEqualsItsAdapterScoredAlone() {
        for (ClassReduction reduction : ClassReduction.values()) {
            try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer();
                 LoraAdapter intruder = randomMember(model, config(4, 8, "k_proj"), 99, 0.3)) {
                AnswerTokens answers = TestEnsembles.answers(tok);
                LoraConfig cfg = config(4, 8, TARGETS);
                List<double[]> thetas = new ArrayList<>();
                LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers);
                for (long seed = 21; seed <= 23; seed++) {
                    LoraAdapter m = randomMember(model, cfg, seed, 0.1);
                    thetas.add(TestEnsembles.theta(m));
                    b.member(m, seed);
                }
                EncodedBatch batch = TestEnsembles.batch(tok, 5);
                try (LoraEnsemble e = b.build()) {
                    EnsembleOptions seq = EnsembleOptions.builder().inference(EnsembleInference.SEQUENTIAL)
                            .reduction(reduction).build();
                    ProbabilitySamples sequential = e.predict(batch, seq);
                    ProbabilitySamples batched = e.predict(batch, seq.toBuilder()
                            .inference(EnsembleInference.BATCHED).build());
                    AnswerScorer scorer = new AnswerScorer(model, answers, reduction);
                    for (int m = 0; m < 3; m++) {
                        double[][] alone;
                        try (LoraAdapter copy = LoraAdapter.create(model, cfg, 1000 + m)) {
                            TestEnsembles.assign(copy, thetas.get(m));
                            alone = probabilities(scorer, batch, copy.binding());
                        }
                        double[][] seqM = sequential.sample(m);
                        double[][] batM = batched.sample(m);
                        for (int r = 0; r < batch.batchSize(); r++) {
                            for (int c = 0; c < alone[r].length; c++) {
                                assertThat(Math.abs(seqM[r][c] - alone[r][c])).as("sequential member %d", m)
                                        .isLessThan(1e-12);
                                assertThat(Math.abs(batM[r][c] - alone[r][c])).as("batched member %d", m)
                                        .isLessThan(TestDevices.float32Tolerance());
                            }
                        }
                    }
                    // another adapter of the same model gives other probabilities: it did not take part
                    assertThat(maxDiff(probabilities(scorer, batch, intruder.binding()), sequential.sample(0)))
                            .isGreaterThan(1e-4);
                }
            }
        }
    }

    @Test
    void aFailedPredictionLeavesTheEnsembleAndModelAsTheyWere() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(randomMember(model, config(4, 8, TARGETS), 1, 0.1)).build()) {
            EncodedBatch good = TestEnsembles.batch(tok, 2);
            long[] ids = good.inputIds().clone();
            ids[ids.length - 1] = 100_000; // outside the vocabulary: the embedding lookup throws mid-forward
            EncodedBatch bad = new EncodedBatch(good.exampleIds(), ids, good.attentionMask(), good.positionIds(),
                    good.labels(), good.batchSize(), good.length(), 0);
            for (EnsembleInference mode : EnsembleInference.values()) {
                EnsembleOptions opts = EnsembleOptions.builder().inference(mode).build();
                double[] before = e.predict(good, opts).toArray();
                assertThatThrownBy(() -> e.predict(bad, opts)).isInstanceOf(RuntimeException.class);
                assertThat(e.predict(good, opts).toArray()).as(mode.name()).containsExactly(before);
            }
        }
    }

    @Test
    void membersMustShareTheModelObjectAndBeDistinct() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); CausalLM other = TestEnsembles.tiny(DType.FLOAT32);
             HfTokenizer tok = TestEnsembles.tokenizer();
             LoraAdapter a = LoraAdapter.create(model, config(2, 2, "q_proj"), 1);
             LoraAdapter foreign = LoraAdapter.create(other, config(2, 2, "q_proj"), 1)) {
            assertThatThrownBy(() -> LoraEnsemble.builder(model, TestEnsembles.answers(tok)).member(foreign))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another CausalLM instance");
            assertThatThrownBy(() -> LoraEnsemble.builder(model, TestEnsembles.answers(tok)).member(a).member(a)
                    .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same adapter");
            assertThatThrownBy(() -> LoraEnsemble.builder(model, TestEnsembles.answers(tok)).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one member");
        }
    }

    @SuppressWarnings("try")
    private static double[][] probabilities(AnswerScorer scorer, EncodedBatch batch, AdapterBinding binding) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            double[] lp = Tensors.toDoubles(scorer.logProbs(batch, binding));
            int c = scorer.numClasses();
            double[][] p = new double[batch.batchSize()][c];
            for (int i = 0; i < lp.length; i++) {
                p[i / c][i % c] = Math.exp(lp[i]);
            }
            return p;
        }
    }

    private static double maxDiff(double[][] a, double[][] b) {
        double d = 0;
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[r].length; c++) {
                d = Math.max(d, Math.abs(a[r][c] - b[r][c]));
            }
        }
        return d;
    }
}
