package ai.bayeslora.lora.ensemble;

import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.Prior;
import ai.bayeslora.lora.train.TrainingObjective;
import ai.bayeslora.uncertainty.Prediction;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A dataset whose rows have 2, 3 and 4 choices, each scored over its own (docs/METHODS.md §1). The oracle scores each
 * row alone with a scorer whose class set is just that row's labels (no mask involved): the ensemble's predictive and
 * the training loss must equal it.
 */
class MixedChoicesTest {
    /** The first n bundled questions, with row i cut to 4, 3 or 2 choices (its answer kept inside). */
    private static McqaDataset mixed(int n) {
        List<McqaExample> out = new ArrayList<>();
        int i = 0;
        for (McqaExample e : BundledData.syntheticMcqaDataset().limit(n).examples()) {
            int k = 4 - i % 3;
            int answer = Math.min(e.answer(), k - 1);
            out.add(McqaExample.of(e.id(), e.question(), e.choices().subList(0, k), e.labels().subList(0, k), answer,
                    null));
            i++;
        }
        return McqaDataset.of("mixed", List.of("A", "B", "C", "D"), out);
    }

    @Test
    void eachRowIsScoredOverItsOwnChoices() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT64); HfTokenizer tok = TestEnsembles.tokenizer()) {
            McqaDataset data = mixed(6);
            assertThat(data.mixedChoices()).isTrue();
            McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
            LoraConfig cfg = config(4, 8, "q_proj", "v_proj", "lm_head");
            try (LoraEnsemble e = LoraEnsemble.builder(model, AnswerTokens.of(tok, data.classLabels()))
                    .member(randomMember(model, cfg, 31, 0.1)).member(randomMember(model, cfg, 32, 0.1)).build()) {
                Prediction pred = UncertaintyEstimator.of(e).batcher(batcher).batchSize(4).predict(data);
                double[][] mean = pred.mean();
                double tol = RoundingBounds.tinyProbabilities(2);
                for (int r = 0; r < data.size(); r++) {
                    McqaExample ex = data.get(r);
                    int k = ex.labels().size();
                    AnswerScorer own = new AnswerScorer(model, AnswerTokens.of(tok, ex.labels()),
                            ClassReduction.ANSWER_TOKENS);
                    EncodedBatch alone = batcher.encode(List.of(ex));
                    double[] want = new double[4];
                    for (LoraAdapter m : e.members()) {
                        double[] p = NativeScope.noGrad(() -> Tensors.toDoubles(own.logProbs(alone, m.binding())
                                .exp()));
                        for (int c = 0; c < k; c++) {
                            want[c] += p[c] / e.size();
                        }
                    }
                    for (int c = 0; c < 4; c++) {
                        assertThat(mean[r][c]).as("row %d (%d choices) class %d", r, k, c).isCloseTo(want[c],
                                within(tol));
                    }
                }
            }
        }
    }

    @Test
    void theTrainingLossIsEachRowsNllOverItsOwnChoices() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT64); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraAdapter a = randomMember(model, config(4, 8, "q_proj", "v_proj"), 41, 0.1)) {
            McqaDataset data = mixed(6);
            McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
            AnswerScorer scorer = new AnswerScorer(model, AnswerTokens.of(tok, data.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            double loss = NativeScope.noGrad(() -> new TrainingObjective(scorer, Prior.none(), data.size())
                    .dataTerm(batcher.encode(data.examples()), a.binding(), data.size()).loss().item_double());
            double want = 0;
            for (McqaExample ex : data.examples()) {
                AnswerScorer own = new AnswerScorer(model, AnswerTokens.of(tok, ex.labels()),
                        ClassReduction.ANSWER_TOKENS);
                double[] lp = NativeScope.noGrad(() -> Tensors.toDoubles(own.logProbs(batcher.encode(List.of(ex)),
                        a.binding())));
                want -= lp[ex.answer()] / data.size();
            }
            // the mean NLL of 6 rows: each |δ log p| ≤ 2‖δf‖, as tinyProbabilities' derivation
            assertThat(loss).isCloseTo(want, within(RoundingBounds.tinyProbabilities(2)));
        }
    }
}
