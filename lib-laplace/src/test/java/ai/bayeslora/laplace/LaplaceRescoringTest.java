package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.uncertainty.Prediction;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Laplace posterior fitted on 4-choice questions (reduction (a)), rescored for a 3-choice class set and for the
 * full-vocabulary reduction (b), against a dense computation on the tiny model in float64: the Jacobian of the new
 * class logits by one {@code torch.grad} per class with respect to the LoRA parameters themselves (none of the
 * production capture code), Σ = J Λ⁻¹ Jᵀ by a Cholesky solve, Λ = G + λI from the fit. Also: the rescored
 * predictive through {@link UncertaintyEstimator} on 2- and 3-choice datasets (the tiny tokenizer has single tokens
 * for " A" to " D" only, so no 5-choice set here; the code path is the same for any C).
 */
class LaplaceRescoringTest {
    static final double LAMBDA = 0.7;
    static TinySetup t;
    static LaplacePosterior la;

    @BeforeAll
    static void fit() {
        t = TinySetup.qv();
        la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4)).structure(Structure.FULL)
                .priorPrecision(LAMBDA).run();
    }

    @AfterAll
    static void close() {
        la.close();
        t.close();
    }

    /** Class logits [C'] and their Jacobian [C', P] for one prompt, computed directly. */
    private static Tensor[] denseClassLogits(AnswerScorer scorer, EncodedBatch single) {
        ModelInput in = new ModelInput(single.inputIdsTensor(), single.attentionMaskTensor(),
                single.positionIdsTensor());
        long[] ids = scorer.answers().ids();
        Tensor full = t.model.lastTokenLogits(in, null, t.adapter.binding()).select(0, 0); // [V]
        Tensor g;
        if (scorer.reduction() == ClassReduction.ANSWER_TOKENS) {
            g = full.index_select(0, Tensors.ofLongs(ids, ids.length));
        } else {
            // g_other = log Σ_{v ∉ answers} exp f_v, written here as log(Σ_v e^f − Σ_c e^{f_c}) in float64
            Tensor e = full.exp();
            Tensor rest = e.sum().sub(e.index_select(0, Tensors.ofLongs(ids, ids.length)).sum()).log();
            g = torch.cat(new TensorVector(full.index_select(0, Tensors.ofLongs(ids, ids.length)), rest.view(1)), 0);
        }
        List<Tensor> params = t.adapter.parameters();
        Tensor[] rows = new Tensor[(int) g.size(0)];
        for (int k = 0; k < rows.length; k++) {
            TensorVector grads = torch.grad(new TensorVector(g.select(0, k)), new TensorVector(params.toArray(new Tensor[0])),
                    new TensorVector(), new BoolOptional(true), false, false);
            Tensor[] flat = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                flat[i] = grads.get(i).reshape(-1).to(ScalarType.Double);
            }
            rows[k] = torch.cat(new TensorVector(flat), 0);
        }
        return new Tensor[] {g.detach().to(ScalarType.Double), torch.stack(new TensorVector(rows), 0)};
    }

    private static void checkAgainstDense(LinearizedPredictive rescored) {
        EncodedBatch test = t.batcher.encode(t.data.examples().subList(12, 17));
        LogitGaussian gauss = rescored.gaussian(test);
        int c = rescored.classLabels().size();
        assertThat(gauss.numClasses()).isEqualTo(c);
        DMatrixRMaj lam = Ejml.plusDiagonal(Ejml.of(la.precisionModel().dense()), LAMBDA);
        double normLam = Ejml.fro(lam);
        double eta = Bounds.eta(la.parameterCount());
        for (int r = 0; r < 5; r++) {
            Tensor[] gj = denseClassLogits(rescored.scorer(), t.single(12 + r));
            Tensor j = gj[1];
            Tensor k = Ejml.toTensor(Ejml.solveSpd(lam, Ejml.of(j.t().contiguous()))).t();
            double[] want = Tensors.toDoubles(k.matmul(j.t()));
            double bound = Bounds.covariance(eta, j.norm().item_double(), k.norm().item_double(), 0, normLam, LAMBDA);
            double err = 0;
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    err += Math.pow(gauss.covariance(r)[a][b] - want[a * c + b], 2);
                }
            }
            assertThat(Math.sqrt(err)).as("prompt %d covariance", r).isLessThan(bound);
            double[] mean = Tensors.toDoubles(gj[0]);
            double scale = java.util.Arrays.stream(mean).map(Math::abs).max().orElseThrow();
            for (int a = 0; a < c; a++) {
                assertThat(gauss.mean(r)[a]).isCloseTo(mean[a], within(2 * eta * Math.max(1, scale)));
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void threeChoiceClassSetMatchesTheDenseComputation() {
        try (PointerScope s = new PointerScope()) {
            LinearizedPredictive p = la.linearized(t.scorer).rescored(AnswerTokens.of(t.tokenizer,
                    List.of("A", "B", "C")), ClassReduction.ANSWER_TOKENS);
            assertThat(p.classLabels()).containsExactly("A", "B", "C");
            checkAgainstDense(p);
        }
    }

    @Test
    @SuppressWarnings("try")
    void fullVocabularyReductionMatchesTheDenseComputation() {
        try (PointerScope s = new PointerScope()) {
            LinearizedPredictive p = la.linearized(t.scorer).rescored(t.scorer.answers(),
                    ClassReduction.FULL_VOCAB_WITH_OTHER);
            assertThat(p.classLabels()).containsExactly("A", "B", "C", "D", "other");
            assertThat(p.reduction()).isEqualTo(ClassReduction.FULL_VOCAB_WITH_OTHER);
            checkAgainstDense(p);
            // at zero covariance the class probabilities are reduction (b)'s: p_c = e^{f_c} / Σ_v e^{f_v}
            EncodedBatch one = t.single(12);
            Tensor full = t.model.lastTokenLogits(new ModelInput(one.inputIdsTensor(), one.attentionMaskTensor(),
                    one.positionIdsTensor()), null, t.adapter.binding()).select(0, 0).detach();
            double[] sm = Tensors.toDoubles(torch.softmax(full, 0));
            LogitGaussian g = p.gaussian(one);
            double[] pb = LogitGaussian.softmax(g.mean(0));
            long[] ids = t.scorer.answers().ids();
            double inAnswers = 0;
            for (int c = 0; c < 4; c++) {
                assertThat(pb[c]).isCloseTo(sm[(int) ids[c]], within(1e-12));
                inAnswers += sm[(int) ids[c]];
            }
            assertThat(pb[4]).isCloseTo(1 - inAnswers, within(1e-12));
        }
    }

    /** Examples with the first {@code n} choices of each question (answers outside them dropped). */
    private static McqaDataset choices(int n) {
        List<String> labels = List.of("A", "B", "C", "D").subList(0, n);
        List<McqaExample> out = new ArrayList<>();
        for (McqaExample e : t.data.examples().subList(20, 40)) {
            List<String> ch = new ArrayList<>(e.choices());
            if (e.answer() < n) {
                out.add(new McqaExample(e.id(), e.question(), ch.subList(0, n), labels, e.answer(), e.subject(),
                        false));
            }
        }
        return McqaDataset.of("synthetic, " + n + " choices", labels, out);
    }

    @Test
    void theEstimatorScoresTwoAndThreeChoiceDatasetsWithTheFourChoicePosterior() {
        for (int n : new int[] {2, 3}) {
            McqaDataset d = choices(n);
            UncertaintyEstimator est = UncertaintyEstimator.of(la.linearized(t.scorer)).batcher(t.batcher)
                    .batchSize(4).progress(false);
            Prediction pred = est.predict(d);
            assertThat(pred.samples().classLabels()).hasSize(n);
            assertThat(est.evaluate(d).metrics().examples()).isEqualTo(d.size());
            // the same numbers as the predictive rescored by hand
            LinearizedPredictive by = la.linearized(t.scorer).rescored(AnswerTokens.of(t.tokenizer, d.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            EncodedBatch first = t.batcher.encode(d.examples().subList(0, 4)); // the estimator's first batch
            double[][] direct = by.predict(first).mean();
            for (int r = 0; r < 4; r++) {
                assertThat(pred.mean()[r]).as("%d choices, row %d", n, r).containsExactly(direct[r]);
            }
        }
    }
}
