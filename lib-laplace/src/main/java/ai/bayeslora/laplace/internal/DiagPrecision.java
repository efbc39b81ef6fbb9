package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.laplace.ParameterBlock;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Diagonal GGN d = diag(G) [P]: Λ = diag(d + λ_b), Σ = Σ_p J_{·p} J_{·p}ᵀ / (d_p + λ_b), one prior-precision group per
 * block.
 */
public final class DiagPrecision implements PrecisionModel {
    static final String DIAG = "diag";

    private final BlockLayout layout;
    private final Tensor d;

    private DiagPrecision(BlockLayout layout, Tensor d) {
        this.layout = layout;
        this.d = d;
    }

    /** From the accumulated diagonal [P] (any dtype); negative rounding noise → 0. */
    public static DiagPrecision of(BlockLayout layout, Tensor diagonal) {
        try (NativeScope s = NativeScope.open()) {
            Tensor dd = diagonal.to(ScalarType.Double).clamp_min(new Scalar(0)).contiguous();
            NativeScope.keep(dd);
            return new DiagPrecision(layout, dd);
        }
    }

    public static DiagPrecision fromState(BlockLayout layout, Map<String, Tensor> state) {
        return of(layout, State.requireSpectrum(state, DIAG, layout.size()));
    }

    @Override
    public Structure structure() {
        return Structure.DIAG;
    }

    @Override
    public BlockLayout layout() {
        return layout;
    }

    @Override
    public List<Spectrum> spectra() {
        List<Spectrum> out = new ArrayList<>();
        double[] all = Tensors.toDoubles(d);
        for (int b = 0; b < layout.blocks().size(); b++) {
            ParameterBlock pb = layout.blocks().get(b);
            int from = (int) pb.offset();
            out.add(new Spectrum(new int[] {b}, pb.size(), java.util.Arrays.copyOfRange(all, from, from + (int) pb.size())));
        }
        return out;
    }

    private Tensor block(int b) {
        ParameterBlock pb = layout.blocks().get(b);
        return d.narrow(0, pb.offset(), pb.size()).view(pb.rows(), pb.cols());
    }

    @Override
    public Tensor covariance(List<Tensor> jac, List<long[]> rows, double[] lambdas) {
        Tensor sigma = null;
        for (int b = 0; b < jac.size(); b++) {
            Tensor db = block(b);
            if (rows.get(b) != null) {
                db = db.index_select(0, Tensors.ofLongs(rows.get(b), rows.get(b).length).to(db.device(),
                        ScalarType.Long));
            }
            Tensor w = db.add(new Scalar(lambdas[b])).reciprocal().reshape(-1); // 1/(d + λ)
            Tensor j = jac.get(b).to(ScalarType.Double);
            Tensor jf = j.reshape(j.size(0), j.size(1), -1);
            Tensor part = torch.bmm(jf.mul(w), jf.transpose(1, 2));
            sigma = sigma == null ? part : sigma.add(part);
        }
        return sigma;
    }

    @Override
    public Tensor sample(double[] lambdas, int samples, SplittableRandom rng) {
        Tensor z = PrecisionModel.gaussian(samples, layout.size(), rng, d.device());
        List<Tensor> lam = new ArrayList<>();
        for (int b = 0; b < layout.blocks().size(); b++) {
            lam.add(torch.full(new long[] {layout.blocks().get(b).size()}, new Scalar(lambdas[b]),
                    new org.bytedeco.pytorch.TensorOptions(ScalarType.Double)
                            .device(new org.bytedeco.pytorch.DeviceOptional(d.device()))));
        }
        Tensor lv = torch.cat(new TensorVector(lam.toArray(new Tensor[0])), 0);
        return z.mul(d.add(lv).rsqrt());
    }

    @Override
    public Map<String, Tensor> state() {
        return Map.of(DIAG, d);
    }

    @Override
    public Tensor dense() {
        return torch.diag(d);
    }

    @Override
    public void close() {
        NativeScope.release(d);
    }
}
