package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;

/**
 * A positive semi-definite Kronecker factor F (side {@code dim}) in eigen form: F = Q diag(e) Qᵀ with Q [m, k]
 * orthonormal columns living on the coordinates {@code active} (null = all, then m = dim). Everything outside
 * span(Q) — the inactive coordinates and, for a low-rank factor, the discarded directions — has eigenvalue 0.
 *
 * <p>A fitted factor knows its eigenvalues at once (eigvalsh: all the evidence and λ tuning need) and computes Q on
 * first use from the dense factor it keeps until then (docs/LAPLACE.md, "Costs"): eigenvectors cost about three
 * times as much as eigenvalues, and a fit that is only asked for its evidence never needs them. Thread-safe.
 *
 * <p>Owns its float64 tensors (retained; {@link #close()} releases them).
 */
public final class FactorEigen implements AutoCloseable {
    private final int dim;
    private final long[] active;
    private final Tensor eigenvalues;
    private Tensor q; // null until computed
    private Tensor dense; // the factor [m, m] while q is pending
    private final int keep; // how many of the largest eigenpairs to keep (k ≤ m)
    private final boolean precise; // factorise in float64 (a float64 model) or float32

    /**
     * A factor given in eigen form.
     *
     * @param dim the factor's side length
     * @param active the coordinates Q lives on, sorted, or null for all
     * @param q eigenvectors [m, k] (retained by the caller's scope: this object keeps its own reference)
     * @param eigenvalues [k], ≥ 0
     */
    public FactorEigen(int dim, long[] active, Tensor q, Tensor eigenvalues) {
        this.dim = dim;
        this.active = active;
        this.q = q;
        this.eigenvalues = eigenvalues;
        this.keep = (int) eigenvalues.size(0);
        this.precise = true;
    }

    private FactorEigen(int dim, long[] active, Tensor dense, Tensor eigenvalues, int keep, boolean precise) {
        this.dim = dim;
        this.active = active;
        this.dense = dense;
        this.eigenvalues = eigenvalues;
        this.keep = keep;
        this.precise = precise;
    }

    /**
     * The eigen form of a dense symmetric PSD factor, keeping its {@code keep} largest eigenpairs (all when keep ≥ m).
     * Eigenvalues now (ascending, tiny negative rounding clipped to 0), eigenvectors on first {@link #q()}.
     *
     * @param dim the factor's side length
     * @param active the coordinates the factor lives on, or null for all
     * @param dense [m, m] float64; this object takes its own reference
     * @param keep the rank to keep
     * @param precise factorise in float64; otherwise in float32 (the factor came from float32 or half-precision
     *     gradients, whose rounding, about u₃₂‖F‖ per Gram, already exceeds the float32 factorisation's backward error
     *     u₃₂‖F‖; float32 is 1.5× faster here), with the results stored in float64
     */
    static FactorEigen ofDense(int dim, long[] active, Tensor dense, int keep, boolean precise) {
        try (NativeScope s = NativeScope.open()) {
            int m = (int) dense.size(0);
            int k = Math.min(keep, m);
            Tensor in = precise ? dense : dense.to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
            Tensor all = BigStack.run(() -> new Tensor[] {org.bytedeco.pytorch.global.torch.linalg_eigvalsh(in)})[0];
            Tensor e = all.narrow(0, m - k, k).to(org.bytedeco.pytorch.global.torch.ScalarType.Double)
                    .clamp_min(new Scalar(0)).contiguous();
            Tensor d = dense.contiguous();
            NativeScope.keep(e);
            NativeScope.keep(d);
            return new FactorEigen(dim, active, d, e, k, precise);
        }
    }

    /** The factor's side length. */
    public int dim() {
        return dim;
    }

    /** The coordinates Q lives on, sorted, or null for all. */
    public long[] active() {
        return active;
    }

    /** The kept eigenvalues [k], ascending, ≥ 0. */
    public Tensor eigenvalues() {
        return eigenvalues;
    }

    /** The eigenvectors [m, k] (computed on first use). */
    public synchronized Tensor q() {
        if (q == null) {
            try (NativeScope s = NativeScope.open()) {
                Tensor d = precise ? dense : dense.to(org.bytedeco.pytorch.global.torch.ScalarType.Float);
                Tensor vectors = BigStack.run(() -> {
                    T_TensorTensor_T eig = org.bytedeco.pytorch.global.torch.linalg_eigh(d);
                    return new Tensor[] {eig.get1()};
                })[0];
                int m = (int) d.size(0);
                Tensor v = vectors.narrow(1, m - keep, keep).to(org.bytedeco.pytorch.global.torch.ScalarType.Double)
                        .contiguous();
                NativeScope.keep(v);
                q = v;
            }
            NativeScope.release(dense);
            dense = null;
        }
        return q;
    }

    /** m, the number of coordinates Q lives on. */
    public int activeSize() {
        return active == null ? dim : active.length;
    }

    /** k, the number of kept eigenpairs. */
    public int rank() {
        return (int) eigenvalues.size(0);
    }

    /** Whether span(Q) is the whole space (no implicit zero eigenvalues). */
    public boolean complete() {
        return active == null && rank() == dim;
    }

    @Override
    public synchronized void close() {
        if (q != null) {
            NativeScope.release(q);
        }
        if (dense != null) {
            NativeScope.release(dense);
        }
        NativeScope.release(eigenvalues);
    }
}
