package ai.bayeslora.laplace.internal;

import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Accumulates a Kronecker factor Σ_i r_i r_iᵀ from batches of rows r_i, densely (d×d) or — for a side of at least the
 * low-rank threshold — as L Lᵀ with L [d, k] by incremental SVD: L ← top-k columns of U·S of svd([L | Rᵀ])
 * (METHODS.md §6, bayesian_lora's scheme). The truncation discards the smallest singular directions of the running
 * sum at every update.
 *
 * <p>Rows may live on a subset of coordinates (lm_head's B is only read at the answer tokens): {@code active} fixes
 * that subset on the first update and every later update must use the same one.
 */
public final class FactorAccumulator implements AutoCloseable {
    private final int dim;
    private final int lowRank;
    private long[] active;
    private boolean activeSet;
    private Tensor state; // dense [m, m] or low-rank [m, ≤k], float64, retained

    /**
     * @param dim side length
     * @param lowRank rank k to keep, or 0 for a dense factor
     */
    public FactorAccumulator(int dim, int lowRank) {
        this.dim = dim;
        this.lowRank = lowRank;
    }

    public boolean lowRank() {
        return lowRank > 0;
    }

    /**
     * Adds Σ rows rowsᵀ.
     *
     * @param rows [n, m] in any floating dtype
     * @param activeRows the coordinates of the m columns (null = all of {@code dim})
     */
    public void add(Tensor rows, long[] activeRows) {
        if (!activeSet) {
            active = activeRows == null ? null : activeRows.clone();
            activeSet = true;
        } else if (!Arrays.equals(active, activeRows)) {
            throw new IllegalStateException("factor rows changed between batches: " + Arrays.toString(active) + " vs "
                    + Arrays.toString(activeRows) + " (the answer tokens must be the same for the whole fit)");
        }
        try (PointerScope s = new PointerScope()) {
            Tensor r = rows.detach().to(ScalarType.Double);
            Tensor next;
            if (lowRank == 0) {
                Tensor gram = r.t().matmul(r);
                next = state == null ? gram : state.add(gram);
            } else {
                Tensor stacked = state == null ? r.t() : torch.cat(new TensorVector(state, r.t()), 1);
                Tensor[] us = BigStack.run(() -> {
                    T_TensorTensorTensor_T svd = torch.linalg_svd(stacked, false,
                            new org.bytedeco.pytorch.StringViewOptional());
                    return new Tensor[] {svd.get0(), svd.get1()};
                });
                Tensor u = us[0];
                Tensor sv = us[1];
                long k = Math.min(lowRank, sv.size(0));
                next = u.narrow(1, 0, k).mul(sv.narrow(0, 0, k).unsqueeze(0));
            }
            next = next.contiguous();
            next.retainReference();
            if (state != null) {
                state.releaseReference();
            }
            state = next;
        }
    }

    /**
     * The eigen form of {@code scale} · (accumulated factor). A factor that never saw rows is zero (rank 0).
     * Tiny negative eigenvalues from rounding are clipped to 0.
     */
    public FactorEigen finish(double scale) {
        try (PointerScope s = new PointerScope()) {
            int m = active == null ? dim : active.length;
            Tensor q;
            Tensor e;
            if (state == null) {
                q = torch.zeros(new long[] {m, 0}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Double));
                e = torch.zeros(new long[] {0}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Double));
            } else if (lowRank == 0) {
                Tensor scaled = state.mul(new org.bytedeco.pytorch.Scalar(scale));
                Tensor[] qe = BigStack.run(() -> {
                    T_TensorTensor_T eig = torch.linalg_eigh(scaled);
                    return new Tensor[] {eig.get1(), eig.get0()};
                });
                e = qe[1].clamp_min(new org.bytedeco.pytorch.Scalar(0));
                q = qe[0];
            } else {
                Tensor[] qs = BigStack.run(() -> {
                    T_TensorTensorTensor_T svd = torch.linalg_svd(state, false,
                            new org.bytedeco.pytorch.StringViewOptional());
                    return new Tensor[] {svd.get0(), svd.get1()};
                });
                q = qs[0];
                e = qs[1].square().mul(new org.bytedeco.pytorch.Scalar(scale));
            }
            q = q.contiguous();
            e = e.contiguous();
            q.retainReference();
            e.retainReference();
            return new FactorEigen(dim, active, q, e);
        }
    }

    @Override
    public void close() {
        if (state != null) {
            state.releaseReference();
            state = null;
        }
    }
}
