package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Dense GGN G [P, P] kept as its eigendecomposition G = Q diag(g) Qᵀ, so that any λ costs no refactorisation:
 * Λ⁻¹ = Q diag(1/(g + λ)) Qᵀ, log det Λ = Σ log(g_i + λ), samples Q diag(1/√(g + λ)) z. Scalar λ only.
 */
public final class FullPrecision implements PrecisionModel {
    static final String EIGENVALUES = "full.eigenvalues";
    static final String EIGENVECTORS = "full.eigenvectors";

    private final BlockLayout layout;
    private final Tensor q;
    private final Tensor g;

    private FullPrecision(BlockLayout layout, Tensor q, Tensor g) {
        this.layout = layout;
        this.q = q;
        this.g = g;
    }

    /** From the dense curvature (symmetrised, then eigendecomposed; rounding-level negative eigenvalues → 0). */
    public static FullPrecision fromCurvature(BlockLayout layout, Tensor curvature) {
        try (NativeScope s = NativeScope.open()) {
            Tensor sym = curvature.to(ScalarType.Double).add(curvature.to(ScalarType.Double).t()).mul(new Scalar(0.5));
            Tensor[] qg = BigStack.run(() -> {
                T_TensorTensor_T eig = torch.linalg_eigh(sym);
                return new Tensor[] {eig.get1(), eig.get0()};
            });
            return retained(layout, qg[0], qg[1].clamp_min(new Scalar(0)));
        }
    }

    /** From saved state. */
    public static FullPrecision fromState(BlockLayout layout, Map<String, Tensor> state) {
        try (NativeScope s = NativeScope.open()) {
            return retained(layout, State.requireFinite(state, EIGENVECTORS, layout.size(), layout.size()),
                    State.requireSpectrum(state, EIGENVALUES, layout.size()));
        }
    }

    private static FullPrecision retained(BlockLayout layout, Tensor q, Tensor g) {
        Tensor qq = q.to(ScalarType.Double).contiguous();
        Tensor gg = g.to(ScalarType.Double).contiguous();
        NativeScope.keep(qq);
        NativeScope.keep(gg);
        return new FullPrecision(layout, qq, gg);
    }

    @Override
    public Structure structure() {
        return Structure.FULL;
    }

    @Override
    public BlockLayout layout() {
        return layout;
    }

    @Override
    public List<Spectrum> spectra() {
        int[] all = IntStream.range(0, layout.blocks().size()).toArray();
        return List.of(new Spectrum(all, layout.size(), ai.bayeslora.core.Tensors.toDoubles(g)));
    }

    @Override
    public Tensor covariance(List<Tensor> jac, List<long[]> rows, double[] lambdas) {
        double lambda = PrecisionModel.scalar(lambdas, Structure.FULL);
        long n = jac.get(0).size(0);
        long c = jac.get(0).size(1);
        List<Tensor> parts = new ArrayList<>();
        for (Tensor j : jac) {
            parts.add(j.to(ScalarType.Double).reshape(n * c, j.size(2), j.size(3)));
        }
        Tensor full = layout.assemble(parts, rows); // [N·C, P]
        Tensor jq = full.matmul(q).view(n, c, layout.size()); // coordinates in G's eigenbasis
        Tensor w = g.add(new Scalar(lambda)).reciprocal();
        return torch.bmm(jq.mul(w), jq.transpose(1, 2)); // Σ_n = (J Q) diag(1/(g+λ)) (J Q)ᵀ
    }

    @Override
    public Tensor sample(double[] lambdas, int samples, SplittableRandom rng) {
        double lambda = PrecisionModel.scalar(lambdas, Structure.FULL);
        Tensor z = PrecisionModel.gaussian(samples, layout.size(), rng, q.device());
        return z.mul(g.add(new Scalar(lambda)).rsqrt()).matmul(q.t());
    }

    @Override
    public Map<String, Tensor> state() {
        return Map.of(EIGENVALUES, g, EIGENVECTORS, q);
    }

    @Override
    public Tensor dense() {
        return q.mul(g).matmul(q.t());
    }

    @Override
    public void close() {
        NativeScope.release(q);
        NativeScope.release(g);
    }
}
