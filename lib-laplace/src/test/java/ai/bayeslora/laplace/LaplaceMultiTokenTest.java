package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
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
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Laplace-LoRA with multi-token labels (docs/METHODS.md §1, verbalizers): the class "logits" are the labels'
 * continuation log-likelihoods. FULL's GGN, log-likelihood and linearised predictive against a dense oracle that
 * differentiates a teacher-forced, unpadded forward per (prompt, label) with respect to the LoRA parameter tensors
 * (no capture, no expansion, no batching). LoRA on v_proj and lm_head, so both the decoder captures (B·C expanded
 * rows per batch) and lm_head's (one row per read position) are summed per example. Tolerances as in
 * {@link LaplaceFullOracleTest}.
 */
class LaplaceMultiTokenTest {
    static final double LAMBDA = 0.7;
    static final int TRAIN = 6;
    static TinySetup t;
    static AnswerScorer scorer;
    static Tensor gOracle;
    static double llOracle;
    static double termNormSum;
    static double logitScale;
    static double eta;

    @BeforeAll
    static void oracle() {
        t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 11);
        // " A" is one token, " E" two, " False" and " True" several on the fixture tokenizer
        scorer = new AnswerScorer(t.model, AnswerTokens.of(t.tokenizer, List.of("A", "E", "False", "True")),
                ClassReduction.ANSWER_TOKENS);
        assertThat(scorer.singleToken()).isFalse();
        try (PointerScope s = new PointerScope()) {
            long p = t.adapter.parameterCount();
            eta = Bounds.eta(p);
            Tensor g = torch.zeros(new long[] {p, p}, new TensorOptions(ScalarType.Double));
            double ll = 0;
            for (int i = 0; i < TRAIN; i++) {
                EncodedBatch one = t.single(i);
                Tensor f = scores(one);
                Tensor j = jacobian(f);
                Tensor fd = f.detach();
                Tensor term = j.t().matmul(DenseOracle.hessian(fd)).matmul(j);
                termNormSum += term.norm().item_double();
                logitScale += Math.max(1, fd.abs().max().item_double());
                g = g.add(term);
                ll += torch.log_softmax(fd, 0).select(0, one.labels()[0]).item_double();
            }
            g.retainReference();
            gOracle = g;
            llOracle = ll;
        }
    }

    /** g_c = Σ_j log p(t_{c,j} | prompt, t_{c,<j}), one unpadded teacher-forced forward per class: [C]. */
    static Tensor scores(EncodedBatch one) {
        long[] prompt = one.realTokens(0);
        AnswerTokens answers = scorer.answers();
        Tensor[] g = new Tensor[answers.numClasses()];
        for (int c = 0; c < g.length; c++) {
            long[] label = answers.sequence(c);
            long[] ids = new long[prompt.length + label.length];
            System.arraycopy(prompt, 0, ids, 0, prompt.length);
            System.arraycopy(label, 0, ids, prompt.length, label.length);
            Tensor logp = torch.log_softmax(t.model.forward(ModelInput.of(Tensors.ofLongs(ids, 1, ids.length)),
                    t.adapter.binding()).select(0, 0), 1);
            Tensor sum = null;
            for (int k = 0; k < label.length; k++) {
                Tensor term = logp.select(0, prompt.length - 1 + k).select(0, label[k]);
                sum = sum == null ? term : sum.add(term);
            }
            g[c] = sum;
        }
        return torch.stack(new TensorVector(g), 0);
    }

    /** J [C, P] of {@code f} with respect to the adapter's parameter tensors. */
    static Tensor jacobian(Tensor f) {
        List<Tensor> params = t.adapter.parameters();
        List<Tensor> rows = new ArrayList<>();
        for (int k = 0; k < f.size(0); k++) {
            TensorVector gr = torch.grad(new TensorVector(f.select(0, k)),
                    new TensorVector(params.toArray(new Tensor[0])), new TensorVector(), new BoolOptional(true), false,
                    false);
            Tensor[] flat = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                flat[i] = gr.get(i).reshape(-1).to(ScalarType.Double);
            }
            rows.add(torch.cat(new TensorVector(flat), 0));
        }
        return torch.stack(new TensorVector(rows.toArray(new Tensor[0])), 0);
    }

    @AfterAll
    static void close() {
        gOracle.releaseReference();
        t.close();
    }

    @Test
    void fullGgnAndLikelihoodMatchTheTeacherForcedOracle() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(scorer, t.adapter, t.batches(0, TRAIN, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            assertThat(la.examples()).isEqualTo(TRAIN);
            Tensor gFit = la.precisionModel().dense();
            double bound = (5 * eta + RoundingBounds.gamma(TRAIN * 4L)) * termNormSum / gOracle.norm().item_double();
            assertThat(gFit.sub(gOracle).norm().item_double() / gOracle.norm().item_double()).isLessThan(bound);
            assertThat(la.logLikelihood()).isCloseTo(llOracle, within(4 * eta * logitScale
                    + RoundingBounds.gamma(TRAIN) * Math.abs(llOracle)));
        }
    }

    @Test
    void diagonalIsTheOraclesDiagonal() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(scorer, t.adapter, t.batches(0, TRAIN, 3))
                     .structure(Structure.DIAG).priorPrecision(LAMBDA).run()) {
            Tensor want = gOracle.diagonal();
            Tensor got = la.precisionModel().dense().diagonal();
            double bound = (5 * eta + RoundingBounds.gamma(TRAIN * 4L)) * termNormSum / want.norm().item_double();
            assertThat(got.sub(want).norm().item_double() / want.norm().item_double()).isLessThan(bound);
        }
    }

    @Test
    void linearisedPredictiveMatchesTheOracle() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(scorer, t.adapter, t.batches(0, TRAIN, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            DMatrixRMaj lam = Ejml.plusDiagonal(Ejml.of(gOracle), LAMBDA);
            double normLam = Ejml.fro(lam);
            double dG = la.precisionModel().dense().sub(gOracle).norm().item_double();
            EncodedBatch test = t.batcher.encode(t.data.examples().subList(10, 14)); // left-padded
            LogitGaussian g = la.linearized(scorer, LinearizedPredictive.Options.defaults().withChunkSize(3))
                    .gaussian(test);
            for (int r = 0; r < 4; r++) {
                Tensor f = scores(t.single(10 + r));
                Tensor j = jacobian(f);
                Tensor k = Ejml.toTensor(Ejml.solveSpd(lam, Ejml.of(j.t().contiguous()))).t();
                double[] want = Tensors.toDoubles(k.matmul(j.t()));
                double bound = Bounds.covariance(eta, j.norm().item_double(), k.norm().item_double(), dG, normLam,
                        LAMBDA);
                double[][] got = g.covariance(r);
                double err = 0;
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        err += Math.pow(got[a][b] - want[a * 4 + b], 2);
                    }
                }
                assertThat(Math.sqrt(err)).as("prompt %d ‖δΣ‖_F", r).isLessThan(bound);
                double[] mu = Tensors.toDoubles(f.detach());
                double scale = Math.max(1, java.util.Arrays.stream(mu).map(Math::abs).max().orElseThrow());
                for (int a = 0; a < 4; a++) {
                    // g sums up to maxLength token log-probabilities of two forwards
                    assertThat(g.mean(r)[a]).isCloseTo(mu[a], within(2 * eta * scale * scorer.answers().maxLength()));
                }
            }
        }
    }

    @Test
    void kfacRunsWithExpandAndReducePositionsAndRefusesLastToken() {
        for (KfacPositions pos : new KfacPositions[] {KfacPositions.EXPAND, KfacPositions.REDUCE}) {
            try (PointerScope s = new PointerScope();
                 LaplacePosterior la = LaplaceLoRA.fit(scorer, t.adapter, t.batches(0, TRAIN, 4))
                         .structure(Structure.KFAC).positions(pos).priorPrecision(LAMBDA).run()) {
                Tensor dense = la.precisionModel().dense();
                assertThat(Tensors.allFinite(dense)).isTrue();
                // K-FAC is PSD and, like the GGN, of the same overall scale: its trace within a small factor
                double ratio = dense.trace().item_double() / gOracle.trace().item_double();
                assertThat(ratio).as("%s trace ratio", pos).isBetween(0.05, 20.0);
            }
        }
        assertThatThrownBy(() -> LaplaceLoRA.fit(scorer, t.adapter, t.batches(0, TRAIN, 4)).structure(Structure.KFAC)
                .positions(KfacPositions.LAST_TOKEN).run())
                .isInstanceOf(LaplaceException.class)
                .hasMessageContaining("multi-token");
    }
}
