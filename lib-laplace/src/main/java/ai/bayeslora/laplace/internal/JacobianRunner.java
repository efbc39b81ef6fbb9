package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The linearised predictive of a batch: μ = f_θ*(x) and Σ = J Λ⁻¹ Jᵀ per prompt. J needs C backward passes (one per
 * class, of Σ_n f_c(x_n), retaining the graph); the per-example Jacobian blocks come from the captured LoRA tensors
 * (see {@link GradientEngine}) and are never assembled into J except by {@link FullPrecision}. The batch is cut into
 * chunks of at most {@code chunk} prompts so that memory stays near that of a training step at the chunk size.
 */
public final class JacobianRunner {
    private JacobianRunner() {
    }

    /** μ [B][C] and, per λ setting, Σ [B][C][C]. */
    public record Result(double[][] mean, List<double[][][]> covariances) {
    }

    /** μ and Σ for one or more λ settings (the Jacobians are computed once). */
    public static Result gaussian(GradientEngine engine, PrecisionModel model, List<double[]> lambdaSets,
                                  EncodedBatch batch, int chunk) {
        int b = batch.batchSize();
        List<double[]> means = new ArrayList<>();
        List<List<double[]>> covs = new ArrayList<>();
        for (int i = 0; i < lambdaSets.size(); i++) {
            covs.add(new ArrayList<>());
        }
        int c = -1;
        for (int from = 0; from < b; from += chunk) {
            int to = Math.min(b, from + chunk);
            EncodedBatch part = Batches.slice(batch, from, to);
            try (NativeScope s = NativeScope.open()) {
                Tensor f = engine.forward(part);
                c = (int) f.size(1);
                List<List<Tensor>> perBlock = new ArrayList<>();
                for (int i = 0; i < engine.layout().blocks().size(); i++) {
                    perBlock.add(new ArrayList<>());
                }
                for (int k = 0; k < c; k++) {
                    // the pass's output gradients ([N, L, d] per module) die with this scope; only the small
                    // per-example Jacobian blocks move to the chunk's scope
                    try (NativeScope pass = NativeScope.open()) {
                        List<Tensor[]> grads = engine.outputGradients(f.select(1, k).sum(), k < c - 1);
                        for (int m = 0; m < grads.size(); m++) {
                            Tensor[] pe = engine.perExample(m, grads.get(m));
                            for (int ab = 0; ab < 2; ab++) {
                                perBlock.get(2 * m + ab).add(pass.ret(pe[ab].to(ScalarType.Double)));
                            }
                        }
                    }
                }
                List<Tensor> jac = new ArrayList<>();
                for (List<Tensor> parts : perBlock) {
                    jac.add(torch.stack(new TensorVector(parts.toArray(new Tensor[0])), 1)); // [N, C, m, n]
                }
                double[] mu = Tensors.toDoubles(f);
                List<long[]> rows = engine.blockRows();
                engine.forwardDone();
                for (int r = 0; r < to - from; r++) {
                    means.add(java.util.Arrays.copyOfRange(mu, r * c, (r + 1) * c));
                }
                for (int l = 0; l < lambdaSets.size(); l++) {
                    double[] sg = Tensors.toDoubles(model.covariance(jac, rows, lambdaSets.get(l)));
                    for (int r = 0; r < to - from; r++) {
                        covs.get(l).add(java.util.Arrays.copyOfRange(sg, r * c * c, (r + 1) * c * c));
                    }
                }
            }
        }
        double[][] mean = means.toArray(new double[0][]);
        List<double[][][]> out = new ArrayList<>();
        for (List<double[]> flat : covs) {
            double[][][] cov = new double[b][c][c];
            for (int r = 0; r < b; r++) {
                for (int i = 0; i < c; i++) {
                    for (int j = 0; j < c; j++) {
                        // symmetrise away rounding-level asymmetry of the two products
                        cov[r][i][j] = 0.5 * (flat.get(r)[i * c + j] + flat.get(r)[j * c + i]);
                    }
                }
            }
            out.add(cov);
        }
        return new Result(mean, out);
    }
}
