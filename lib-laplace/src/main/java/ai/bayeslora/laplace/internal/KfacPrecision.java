package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.laplace.ParameterBlock;
import ai.bayeslora.laplace.Structure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Kronecker-factored blocks, one per LoRA matrix W [rows, cols]: G_b ≈ S ⊗ A in the row-major layout of W (a
 * per-example gradient g aᵀ flattens to g ⊗ a), with S = Q_S diag(s) Q_Sᵀ on the output side (rows) and
 * A = Q_A diag(a) Q_Aᵀ on the input side (cols), either possibly low-rank or living on a subset of rows (METHODS.md
 * §6).
 *
 * <p>Everything follows from the eigen form. On span(Q_S) ⊗ span(Q_A) the eigenvalues of S⊗A + λI are s_j a_i + λ,
 * and λ on the orthogonal complement (discarded low-rank directions, inactive rows). Hence, without forming a
 * Kronecker product,
 * <pre>
 *   vec(J)ᵀ (S⊗A + λI)⁻¹ vec(J') = ⟨J, J'⟩_F / λ + Σ_ji (1/(s_j a_i + λ) − 1/λ) (Q_Sᵀ J Q_A)_ji (Q_Sᵀ J' Q_A)_ji
 * </pre>
 * (the Woodbury identity for the low-rank case), log det = Σ_ji log(s_j a_i + λ) + (P_b − k_S k_A) log λ, and the
 * symmetric square root used for sampling has the same form with 1/√(·).
 */
public final class KfacPrecision implements PrecisionModel {
    private final BlockLayout layout;
    private final Structure structure;
    private final List<FactorEigen> in;
    private final List<FactorEigen> out;

    /**
     * @param in input-side factor per block (side = cols)
     * @param out output-side factor per block (side = rows); takes ownership of both lists' tensors
     */
    public KfacPrecision(BlockLayout layout, Structure structure, List<FactorEigen> in, List<FactorEigen> out) {
        this.layout = layout;
        this.structure = structure;
        this.in = List.copyOf(in);
        this.out = List.copyOf(out);
        for (int b = 0; b < layout.blocks().size(); b++) {
            ParameterBlock pb = layout.blocks().get(b);
            if (this.in.get(b).dim() != pb.cols() || this.out.get(b).dim() != pb.rows()) {
                throw new IllegalArgumentException("factor sides of " + pb.key() + " do not match [" + pb.rows() + ", "
                        + pb.cols() + "]");
            }
        }
    }

    /** The input-side factor of block b. */
    @Override
    public void prepare() {
        in.forEach(FactorEigen::q);
        out.forEach(FactorEigen::q);
    }

    public FactorEigen inputFactor(int b) {
        return in.get(b);
    }

    /** The output-side factor of block b. */
    public FactorEigen outputFactor(int b) {
        return out.get(b);
    }

    @Override
    public Structure structure() {
        return structure;
    }

    @Override
    public BlockLayout layout() {
        return layout;
    }

    @Override
    public List<Spectrum> spectra() {
        List<Spectrum> res = new ArrayList<>();
        for (int b = 0; b < in.size(); b++) {
            double[] a = Tensors.toDoubles(in.get(b).eigenvalues());
            double[] s = Tensors.toDoubles(out.get(b).eigenvalues());
            double[] prod = new double[a.length * s.length];
            for (int j = 0; j < s.length; j++) {
                for (int i = 0; i < a.length; i++) {
                    prod[j * a.length + i] = s[j] * a[i];
                }
            }
            res.add(new Spectrum(new int[] {b}, layout.blocks().get(b).size(), prod));
        }
        return res;
    }

    /** s_j a_i as [k_S, k_A]. */
    private Tensor products(int b) {
        return out.get(b).eigenvalues().unsqueeze(1).mul(in.get(b).eigenvalues().unsqueeze(0));
    }

    private boolean complete(int b) {
        return in.get(b).complete() && out.get(b).complete();
    }

    /**
     * Block b's [..., m, cols] (rows {@code rows}, null = all) expressed on the output factor's active coordinates
     * [..., m_a, cols]; rows outside the active set are dropped (they only see the prior).
     */
    private Tensor toActive(int b, Tensor x, long[] rows) {
        FactorEigen o = out.get(b);
        if (o.active() == null) {
            return BlockLayout.fullRows(x, rows, o.dim());
        }
        if (rows != null && java.util.Arrays.equals(rows, o.active())) {
            return x;
        }
        Map<Long, Integer> pos = new HashMap<>();
        for (int i = 0; i < o.active().length; i++) {
            pos.put(o.active()[i], i);
        }
        List<Long> src = new ArrayList<>();
        List<Long> dst = new ArrayList<>();
        int m = (int) x.size(x.dim() - 2);
        for (int i = 0; i < m; i++) {
            Integer p = pos.get(rows == null ? (long) i : rows[i]);
            if (p != null) {
                src.add((long) i);
                dst.add((long) p);
            }
        }
        long[] shape = Tensors.shape(x);
        shape[shape.length - 2] = o.active().length;
        Tensor res = torch.zeros(shape, new TensorOptions(ScalarType.Double)
                .device(new org.bytedeco.pytorch.DeviceOptional(x.device())));
        if (src.isEmpty()) {
            return res;
        }
        Tensor s = onDevice(src.stream().mapToLong(Long::longValue).toArray(), x);
        Tensor d = onDevice(dst.stream().mapToLong(Long::longValue).toArray(), x);
        return res.index_copy(x.dim() - 2, d, x.index_select(x.dim() - 2, s));
    }

    /** Q_Sᵀ X Q_A for X [..., m_a, cols] → [..., k_S, k_A]. */
    private Tensor project(int b, Tensor x) {
        return out.get(b).q().t().matmul(x).matmul(in.get(b).q());
    }

    @Override
    public Tensor covariance(List<Tensor> jac, List<long[]> rows, double[] lambdas) {
        Tensor sigma = null;
        for (int b = 0; b < jac.size(); b++) {
            double lambda = lambdas[b];
            Tensor j = jac.get(b).to(ScalarType.Double);
            long n = j.size(0);
            long c = j.size(1);
            Tensor p = project(b, toActive(b, j, rows.get(b))).reshape(n, c, -1);
            Tensor part;
            if (complete(b)) {
                Tensor w = products(b).add(new Scalar(lambda)).reciprocal().reshape(-1);
                part = torch.bmm(p.mul(w), p.transpose(1, 2));
            } else {
                Tensor w = products(b).add(new Scalar(lambda)).reciprocal().sub(new Scalar(1 / lambda)).reshape(-1);
                Tensor jf = j.reshape(n, c, -1);
                part = torch.bmm(jf, jf.transpose(1, 2)).div(new Scalar(lambda)).add(torch.bmm(p.mul(w),
                        p.transpose(1, 2)));
            }
            sigma = sigma == null ? part : sigma.add(part);
        }
        return sigma;
    }

    @Override
    public Tensor sample(double[] lambdas, int samples, SplittableRandom rng) {
        Tensor z = PrecisionModel.gaussian(samples, layout.size(), rng, in.get(0).q().device());
        List<Tensor> parts = new ArrayList<>();
        for (int b = 0; b < layout.blocks().size(); b++) {
            ParameterBlock pb = layout.blocks().get(b);
            double lambda = lambdas[b];
            Tensor zb = z.narrow(1, pb.offset(), pb.size()).reshape(samples, pb.rows(), pb.cols());
            FactorEigen o = out.get(b);
            Tensor za = o.active() == null ? zb : zb.index_select(1, onDevice(o.active(), zb));
            Tensor p = project(b, za);
            Tensor delta;
            if (complete(b)) {
                delta = o.q().matmul(p.mul(products(b).add(new Scalar(lambda)).rsqrt())).matmul(in.get(b).q().t());
            } else {
                Tensor w = products(b).add(new Scalar(lambda)).rsqrt().sub(new Scalar(1 / Math.sqrt(lambda)));
                Tensor back = o.q().matmul(p.mul(w)).matmul(in.get(b).q().t()); // [S, m_a, cols]
                delta = zb.div(new Scalar(Math.sqrt(lambda)));
                delta = o.active() == null ? delta.add(back)
                        : delta.index_add(1, onDevice(o.active(), delta), back);
            }
            parts.add(delta.reshape(samples, -1));
        }
        return torch.cat(new org.bytedeco.pytorch.TensorVector(parts.toArray(new Tensor[0])), 1);
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int b = 0; b < layout.blocks().size(); b++) {
            String k = layout.blocks().get(b).key();
            m.put(k + ".in.q", in.get(b).q());
            m.put(k + ".in.e", in.get(b).eigenvalues());
            m.put(k + ".out.q", out.get(b).q());
            m.put(k + ".out.e", out.get(b).eigenvalues());
            if (out.get(b).active() != null) {
                m.put(k + ".out.active", Tensors.ofLongs(out.get(b).active(), out.get(b).active().length));
            }
            if (in.get(b).active() != null) {
                m.put(k + ".in.active", Tensors.ofLongs(in.get(b).active(), in.get(b).active().length));
            }
        }
        return m;
    }

    /** Rebuilds from {@link #state()}. */
    public static KfacPrecision fromState(BlockLayout layout, Structure structure, Map<String, Tensor> state) {
        List<FactorEigen> in = new ArrayList<>();
        List<FactorEigen> out = new ArrayList<>();
        for (ParameterBlock pb : layout.blocks()) {
            in.add(factor(state, pb.key() + ".in", pb.cols()));
            out.add(factor(state, pb.key() + ".out", pb.rows()));
        }
        return new KfacPrecision(layout, structure, in, out);
    }

    private static FactorEigen factor(Map<String, Tensor> state, String prefix, int dim) {
        try (NativeScope s = NativeScope.open()) {
            Tensor q = State.requireFinite(state, prefix + ".q").to(ScalarType.Double).contiguous();
            Tensor e = State.requireSpectrum(state, prefix + ".e").to(ScalarType.Double).contiguous();
            Tensor act = state.get(prefix + ".active");
            long[] active = act == null ? null : State.requireIndices(prefix + ".active", Tensors.toLongs(act), dim);
            int m = active == null ? dim : active.length;
            if (q.dim() != 2 || q.size(0) != m || e.dim() != 1 || e.size(0) != q.size(1)) {
                throw new IllegalStateException("factor '" + prefix + "' has inconsistent shapes q "
                        + Tensors.shapeText(Tensors.shape(q)) + ", e " + Tensors.shapeText(Tensors.shape(e))
                        + " for side " + m);
            }
            NativeScope.keep(q);
            NativeScope.keep(e);
            return new FactorEigen(dim, active, q, e);
        }
    }

    /** The dense factor Q diag(e) Qᵀ embedded in [dim, dim]. */
    static Tensor denseFactor(FactorEigen f) {
        Tensor m = f.q().mul(f.eigenvalues()).matmul(f.q().t());
        if (f.active() == null) {
            return m;
        }
        Tensor idx = onDevice(f.active(), m);
        Tensor rowsFull = BlockLayout.fullRows(m, f.active(), f.dim()); // [dim, m]
        Tensor full = torch.zeros(new long[] {f.dim(), f.dim()}, new TensorOptions(ScalarType.Double)
                .device(new org.bytedeco.pytorch.DeviceOptional(m.device())));
        return full.index_copy(1, idx, rowsFull);
    }

    /** An int64 index on the device of {@code like}. */
    private static Tensor onDevice(long[] index, Tensor like) {
        Tensor t = Tensors.ofLongs(index, index.length);
        return like.device().is_cpu() ? t : t.to(like.device(), ScalarType.Long);
    }

    /** Block b as the dense matrix S ⊗ A [P_b, P_b]. */
    public Tensor denseBlock(int b) {
        return torch.kron(denseFactor(out.get(b)), denseFactor(in.get(b)));
    }

    @Override
    public Tensor dense() {
        Tensor g = torch.zeros(new long[] {layout.size(), layout.size()}, new TensorOptions(ScalarType.Double)
                .device(new org.bytedeco.pytorch.DeviceOptional(in.get(0).q().device())));
        for (int b = 0; b < layout.blocks().size(); b++) {
            ParameterBlock pb = layout.blocks().get(b);
            g.narrow(0, pb.offset(), pb.size()).narrow(1, pb.offset(), pb.size()).copy_(denseBlock(b));
        }
        return g;
    }

    @Override
    public void close() {
        in.forEach(FactorEigen::close);
        out.forEach(FactorEigen::close);
    }
}
