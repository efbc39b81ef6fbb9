package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A positive semi-definite Kronecker factor F (side {@code dim}) in eigen form: F = Q diag(e) Qᵀ with Q [m, k]
 * orthonormal columns living on the coordinates {@code active} (null = all, then m = dim). Everything outside
 * span(Q) — the inactive coordinates and, for a low-rank factor, the discarded directions — has eigenvalue 0.
 *
 * <p>Owns its two float64 tensors (retained; {@link #close()} releases them).
 *
 * @param dim the factor's side length
 * @param active the coordinates Q lives on, sorted, or null for all
 * @param q eigenvectors [m, k]
 * @param eigenvalues [k], ≥ 0
 */
public record FactorEigen(int dim, long[] active, Tensor q, Tensor eigenvalues) implements AutoCloseable {

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
    public void close() {
        NativeScope.release(q);
        NativeScope.release(eigenvalues);
    }
}
