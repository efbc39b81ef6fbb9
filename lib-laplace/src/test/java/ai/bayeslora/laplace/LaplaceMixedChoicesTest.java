package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.text.AnswerTokens;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * A Laplace fit on rows with 2, 3 and 4 choices (docs/METHODS.md §1): the GGN and the log-likelihood are those of
 * each row's own softmax. The oracle differentiates, per row alone, the logits of a scorer whose classes are just that
 * row's labels (no mask), G = Σ_n J_nᵀ (diag p_n − p_n p_nᵀ) J_n with J_n ∈ R^{k_n×P}. Tolerances as in
 * {@link LaplaceFullOracleTest}.
 */
class LaplaceMixedChoicesTest {
    @Test
    void fullGgnIsThatOfEachRowsOwnSoftmax() {
        try (TinySetup t = TinySetup.qv(); PointerScope s = new PointerScope()) {
            List<McqaExample> rows = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                McqaExample e = t.data.get(i);
                int k = 4 - i % 3;
                rows.add(McqaExample.of(e.id(), e.question(), e.choices().subList(0, k), e.labels().subList(0, k),
                        Math.min(e.answer(), k - 1), null));
            }
            McqaDataset mixed = McqaDataset.of("mixed", t.data.classLabels(), rows);
            List<EncodedBatch> batches = List.of(t.batcher.encode(rows.subList(0, 4)),
                    t.batcher.encode(rows.subList(4, 6)));
            long p = t.adapter.parameterCount();
            double eta = Bounds.eta(p);
            Tensor g = torch.zeros(new long[] {p, p}, new TensorOptions(ScalarType.Double));
            double ll = 0;
            double termNormSum = 0;
            double logitScale = 0;
            List<Tensor> params = t.adapter.parameters();
            for (McqaExample ex : mixed.examples()) {
                AnswerScorer own = new AnswerScorer(t.model, AnswerTokens.of(t.tokenizer, ex.labels()),
                        ClassReduction.ANSWER_TOKENS);
                EncodedBatch one = t.batcher.encode(List.of(ex));
                Tensor f = own.answerLogits(new ModelInput(one.inputIdsTensor(), one.attentionMaskTensor(),
                        one.positionIdsTensor()), t.adapter.binding()).select(0, 0);
                Tensor[] jr = new Tensor[(int) f.size(0)];
                for (int c = 0; c < jr.length; c++) {
                    TensorVector gr = torch.grad(new TensorVector(f.select(0, c)),
                            new TensorVector(params.toArray(new Tensor[0])), new TensorVector(), new BoolOptional(true),
                            false, false);
                    Tensor[] flat = new Tensor[params.size()];
                    for (int i = 0; i < flat.length; i++) {
                        flat[i] = gr.get(i).reshape(-1).to(ScalarType.Double);
                    }
                    jr[c] = torch.cat(new TensorVector(flat), 0);
                }
                Tensor j = torch.stack(new TensorVector(jr), 0);
                Tensor fd = f.detach().to(ScalarType.Double);
                Tensor term = j.t().matmul(DenseOracle.hessian(fd)).matmul(j);
                termNormSum += term.norm().item_double();
                logitScale += Math.max(1, fd.abs().max().item_double());
                g = g.add(term);
                ll += torch.log_softmax(fd, 0).select(0, ex.answer()).item_double();
            }
            try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, batches).structure(Structure.FULL)
                    .priorPrecision(0.7).run()) {
                Tensor fit = la.precisionModel().dense();
                double bound = (5 * eta + RoundingBounds.gamma(6 * 4L)) * termNormSum / g.norm().item_double();
                assertThat(fit.sub(g).norm().item_double() / g.norm().item_double()).isLessThan(bound);
                assertThat(la.logLikelihood()).isCloseTo(ll, within(4 * eta * logitScale
                        + RoundingBounds.gamma(6) * Math.abs(ll)));
            }
            AnswerScorer b = new AnswerScorer(t.model, AnswerTokens.of(t.tokenizer, t.data.classLabels()),
                    ClassReduction.FULL_VOCAB_WITH_OTHER);
            assertThatThrownBy(() -> LaplaceLoRA.fit(b, t.adapter, batches).structure(Structure.DIAG).run())
                    .isInstanceOf(LaplaceException.class).hasMessageContaining("--choices N");
        }
    }
}
