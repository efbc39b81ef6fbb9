package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import java.util.Arrays;
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
 * sum at every update. New rows are buffered and folded in together once about min(max(d, 4k), 2048) have arrived
 * (and at {@link #finish}), so the number of SVDs does not grow with the number of backward passes.
 *
 * <p>Rows may live on a subset of coordinates (lm_head's B is only read at the answer tokens): {@code active} fixes
 * that subset on the first update and every later update must use the same one.
 */
public final class FactorAccumulator implements AutoCloseable {
    private final org.bytedeco.pytorch.TensorOptions options;
    private final org.bytedeco.pytorch.Device device;
    private final int dim;
    private final int lowRank;
    private long[] active;
    private boolean activeSet;
    private Tensor state; // dense [m, m] or low-rank [m, ≤k], float64, retained
    private final java.util.List<Tensor> pending = new java.util.ArrayList<>(); // low-rank: rows not yet folded in
    private long pendingRows;

    /**
     * @param dim side length
     * @param lowRank rank k to keep, or 0 for a dense factor
     * @param device where the factor lives (the model's device); rows are moved there
     */
    public FactorAccumulator(int dim, int lowRank, org.bytedeco.pytorch.Device device) {
        this.dim = dim;
        this.lowRank = lowRank;
        this.options = new org.bytedeco.pytorch.TensorOptions(ScalarType.Double)
                .device(new org.bytedeco.pytorch.DeviceOptional(device));
        this.device = device;
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
        if (lowRank == 0) {
            try (NativeScope s = NativeScope.open()) {
                Tensor r = rows.detach().to(device, ScalarType.Double);
                Tensor gram = r.t().matmul(r);
                replace(state == null ? gram : state.add(gram));
            }
            return;
        }
        // low rank: buffer rows and fold them in by one SVD per ~side-length rows (an SVD of a d-row matrix costs
        // O(d³) however few columns are new, so one SVD per small update would dominate the fit)
        try (NativeScope s = NativeScope.open()) {
            Tensor r = rows.detach().to(device, ScalarType.Double).contiguous();
            NativeScope.keep(r);
            pending.add(r);
            pendingRows += r.size(0);
        }
        int m = active == null ? dim : active.length;
        if (pendingRows >= Math.min(Math.max(m, 4L * lowRank), 2048)) {
            flush();
        }
    }

    /** L ← top-k columns of U·S of svd([L | pending rowsᵀ]). */
    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try (NativeScope s = NativeScope.open()) {
            java.util.List<Tensor> cols = new java.util.ArrayList<>();
            if (state != null) {
                cols.add(state);
            }
            for (Tensor p : pending) {
                cols.add(p.t());
            }
            Tensor stacked = torch.cat(new TensorVector(cols.toArray(new Tensor[0])), 1);
            Tensor[] us = BigStack.run(() -> {
                T_TensorTensorTensor_T svd = torch.linalg_svd(stacked, false,
                        new org.bytedeco.pytorch.StringViewOptional());
                return new Tensor[] {svd.get0(), svd.get1()};
            });
            long k = Math.min(lowRank, us[1].size(0));
            replace(us[0].narrow(1, 0, k).mul(us[1].narrow(0, 0, k).unsqueeze(0)));
        }
        NativeScope.release(pending);
        pending.clear();
        pendingRows = 0;
    }

    private void replace(Tensor next) {
        Tensor n = next.contiguous();
        NativeScope.keep(n);
        if (state != null) {
            NativeScope.release(state);
        }
        state = n;
    }

    /**
     * The eigen form of {@code scale} · (accumulated factor). A factor that never saw rows is zero (rank 0).
     * Tiny negative eigenvalues from rounding are clipped to 0.
     */
    public FactorEigen finish(double scale) {
        flush();
        try (NativeScope s = NativeScope.open()) {
            int m = active == null ? dim : active.length;
            Tensor q;
            Tensor e;
            if (state == null) {
                q = torch.zeros(new long[] {m, 0}, options);
                e = torch.zeros(new long[] {0}, options);
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
            NativeScope.keep(q);
            NativeScope.keep(e);
            return new FactorEigen(dim, active, q, e);
        }
    }

    @Override
    public void close() {
        NativeScope.release(pending);
        pending.clear();
        if (state != null) {
            NativeScope.release(state);
            state = null;
        }
    }
}
