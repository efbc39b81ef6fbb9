package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The EMPIRICAL Fisher against the dense oracle Σ_n J_nᵀ (e_y − p)(e_y − p)ᵀ J_n, and the MC-sampled Fisher against
 * the exact expectation (its mean over labels y ~ p) within Monte Carlo error.
 */
class LaplaceFisherVariantsTest {

    private static double relFro(Tensor a, Tensor b) {
        return a.sub(b).norm().item_double() / b.norm().item_double();
    }

    @Test
    @SuppressWarnings("try")
    void empiricalMatchesDenseOracleAndMonteCarloConvergesToExact() {
        try (TinySetup t = TinySetup.qv(); PointerScope s = new PointerScope()) {
            long p = t.adapter.parameterCount();
            Tensor empirical = torch.zeros(new long[] {p, p}, new TensorOptions(ScalarType.Double));
            for (int i = 0; i < 10; i++) {
                EncodedBatch one = t.single(i);
                Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters());
                double[] f = DenseOracle.logits(t, one);
                // e_y − p in Java doubles (torch.scalar_tensor would make a float32 value: the old oracle rounded
                // 1 − p_y to float32 and agreed only to 2e-8)
                int y = one.labels()[0];
                double lse = logSumExp(f);
                double[] resid = new double[f.length];
                for (int c = 0; c < f.length; c++) {
                    resid[c] = (c == y ? 1.0 : 0.0) - Math.exp(f[c] - lse);
                }
                Tensor r = Tensors.ofDoubles(resid, resid.length);
                Tensor g = j.t().matmul(r.unsqueeze(1)); // ∇ log p_y = Jᵀ (e_y − p)
                empirical = empirical.add(g.matmul(g.t()));
            }
            try (LaplacePosterior emp = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                    .structure(Structure.FULL).fisher(FisherEstimate.EMPIRICAL).priorPrecision(1.0).run();
                 LaplacePosterior exact = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                         .structure(Structure.FULL).priorPrecision(1.0).run();
                 LaplacePosterior mc = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                         .structure(Structure.FULL).fisher(FisherEstimate.MC_SAMPLED).mcSamples(4000).seed(3)
                         .priorPrecision(1.0).run();
                 LaplacePosterior mcFew = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 4))
                         .structure(Structure.FULL).fisher(FisherEstimate.MC_SAMPLED).mcSamples(1).seed(3)
                         .priorPrecision(1.0).run()) {
                // a sum of PSD terms g gᵀ: each path's g carries η (Jacobians) so each term 4η between the paths,
                // plus the sums and FULL's eigen-reconstruction (η each), scaled by the PSD spread (Bounds)
                double eta = Bounds.eta(emp.parameterCount());
                assertThat(relFro(emp.precisionModel().dense(), empirical))
                        .isLessThan(7 * eta * Bounds.psdSpread(empirical));
                double errMany = relFro(mc.precisionModel().dense(), exact.precisionModel().dense());
                double errOne = relFro(mcFew.precisionModel().dense(), exact.precisionModel().dense());
                // sampling error shrinks like 1/√S: 4000 samples are far closer to the expectation than one
                assertThat(errMany).isLessThan(0.1);
                assertThat(errMany).isLessThan(errOne / 5);
            }
        }
    }

    private static double logSumExp(double[] f) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : f) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : f) {
            s += Math.exp(v - m);
        }
        return m + Math.log(s);
    }
}
