package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FULL against {@link DenseOracle} on the tiny Llama in float64 with a random LoRA r=2, α=4 on q_proj and v_proj
 * (P = 896): the GGN, the log-likelihood, the log marginal likelihood and the linearised predictive (means and
 * covariances, padded batch, chunk sizes 1 and automatic) to 1e-8 relative or better.
 */
class LaplaceFullOracleTest {
    static final double LAMBDA = 0.7;
    static TinySetup t;
    static Tensor gOracle;
    static double llOracle;

    @BeforeAll
    static void oracle() {
        t = TinySetup.qv();
        try (PointerScope s = new PointerScope()) {
            long p = t.adapter.parameterCount();
            Tensor g = torch.zeros(new long[] {p, p}, new TensorOptions(ScalarType.Double));
            double ll = 0;
            for (int i = 0; i < 10; i++) {
                EncodedBatch one = t.single(i);
                Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters());
                Tensor f = Tensors.ofDoubles(DenseOracle.logits(t, one), j.size(0));
                g = g.add(j.t().matmul(DenseOracle.hessian(f)).matmul(j));
                ll += torch.log_softmax(f, 0).select(0, one.labels()[0]).item_double();
            }
            g.retainReference();
            gOracle = g;
            llOracle = ll;
        }
    }

    @AfterAll
    static void close() {
        gOracle.releaseReference();
        t.close();
    }

    private static double relFro(Tensor a, Tensor b) {
        return a.sub(b).norm().item_double() / b.norm().item_double();
    }

    @Test
    void ggnLikelihoodAndEvidenceMatchTheDenseComputation() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            assertThat(la.parameterCount()).isEqualTo(896);
            assertThat(la.examples()).isEqualTo(10);
            assertThat(relFro(la.precisionModel().dense(), gOracle)).isLessThan(1e-10);
            assertThat(la.logLikelihood()).isCloseTo(llOracle, org.assertj.core.data.Offset.offset(1e-10));

            long p = la.parameterCount();
            double logdet = Ejml.logDet(Ejml.plusDiagonal(Ejml.of(gOracle), LAMBDA));
            Tensor theta = t.adapter.flatten(ScalarType.Double);
            double thetaSq = theta.dot(theta).item_double();
            double evidence = llOracle - 0.5 * LAMBDA * thetaSq + 0.5 * p * Math.log(LAMBDA) - 0.5 * logdet;
            assertThat(la.logMarginalLikelihood()).isCloseTo(evidence,
                    org.assertj.core.data.Offset.offset(1e-9 * Math.abs(evidence)));
            // a second λ without refitting
            double evidence2 = llOracle - 1.5 * thetaSq + 0.5 * p * Math.log(3.0)
                    - 0.5 * Ejml.logDet(Ejml.plusDiagonal(Ejml.of(gOracle), 3.0));
            assertThat(la.logMarginalLikelihood(3.0)).isCloseTo(evidence2,
                    org.assertj.core.data.Offset.offset(1e-9 * Math.abs(evidence2)));
        }
    }

    @Test
    void linearisedPredictiveMatchesTheDenseComputationAtAnyChunkSize() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            Tensor inv = Ejml.toTensor(Ejml.inverse(Ejml.plusDiagonal(Ejml.of(gOracle), LAMBDA)));
            EncodedBatch test = t.batcher.encode(t.data.examples().subList(10, 17)); // left-padded, 7 prompts
            for (int chunk : new int[] {0, 1, 3}) {
                LogitGaussian g = la.linearized(t.scorer, LinearizedPredictive.Options.defaults().withChunkSize(chunk))
                        .gaussian(test);
                assertThat(g.batchSize()).isEqualTo(7);
                for (int r = 0; r < 7; r++) {
                    EncodedBatch one = t.single(10 + r);
                    Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters());
                    Tensor sigma = j.matmul(inv).matmul(j.t());
                    double[] want = Tensors.toDoubles(sigma);
                    double[][] got = g.covariance(r);
                    double num = 0;
                    double den = 0;
                    for (int a = 0; a < 4; a++) {
                        for (int b = 0; b < 4; b++) {
                            num += Math.pow(got[a][b] - want[a * 4 + b], 2);
                            den += want[a * 4 + b] * want[a * 4 + b];
                        }
                    }
                    assertThat(Math.sqrt(num / den)).as("chunk %d prompt %d", chunk, r).isLessThan(1e-8);
                    double[] mu = DenseOracle.logits(t, one);
                    for (int a = 0; a < 4; a++) {
                        assertThat(g.mean(r)[a]).isCloseTo(mu[a], org.assertj.core.data.Offset.offset(1e-10));
                    }
                }
            }
        }
    }

    @Test
    void lastLayerSelectionIsTheMatchingSubMatrix() {
        // modules("v_proj") keeps only v_proj's A and B: G must be the corresponding principal submatrix
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 5))
                     .structure(Structure.FULL).modules("v_proj").run()) {
            List<Tensor> all = t.adapter.parameters();
            List<String> names = t.adapter.parameterNames();
            long offset = 0;
            List<Tensor> idx = new java.util.ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                long n = all.get(i).numel();
                if (names.get(i).contains("v_proj")) {
                    idx.add(torch.arange(new Scalar(offset), new Scalar(offset + n), new TensorOptions(ScalarType.Long)));
                }
                offset += n;
            }
            Tensor sel = torch.cat(new org.bytedeco.pytorch.TensorVector(idx.toArray(new Tensor[0])), 0);
            Tensor sub = gOracle.index_select(0, sel).index_select(1, sel);
            assertThat(la.parameterCount()).isEqualTo(sel.size(0));
            assertThat(relFro(la.precisionModel().dense(), sub)).isLessThan(1e-10);
        }
    }
}
