package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Accumulates a Kronecker factor Σ_i r_i r_iᵀ from batches of rows r_i as a dense d×d float64 Gram, and gives its eigen
 * form at {@link #finish}: all eigenpairs, or — for a side of at least the low-rank threshold — the k largest
 * (METHODS.md §6). The low-rank factor is thus the best rank-k approximation of the whole sum, computed once; the
 * incremental SVD of bayesian_lora (L ← top-k of svd([L | Rᵀ]) per block of rows) truncates at every update, and its
 * buffered rows took as much memory as the Gram while costing one d×(d+k) SVD per d rows (docs/LAPLACE.md, "Costs").
 *
 * <p>The Gram of each block of rows is formed in float32 when the rows are float32 or half precision (the rounding of
 * the gradients that produced them is already at that level) and added to the float64 sum; float64 rows stay float64.
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
    private Tensor state; // dense [m, m], float64, retained
    private boolean precise; // some rows were float64 (a float64 model): factorise in float64

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
        boolean f64 = rows.scalar_type().value == ScalarType.Double.value;
        precise |= f64;
        try (NativeScope s = NativeScope.open()) {
            Tensor r = rows.detach().to(device, f64 ? ScalarType.Double : ScalarType.Float);
            Tensor gram = r.t().matmul(r).to(ScalarType.Double);
            replace(state == null ? gram : state.add(gram));
        }
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
     * The eigen form of {@code scale} · (accumulated factor): its eigenvalues now, its eigenvectors when first used
     * ({@link FactorEigen}); the k largest for a low-rank factor. A factor that never saw rows is zero (rank 0).
     * Tiny negative eigenvalues from rounding are clipped to 0.
     */
    public FactorEigen finish(double scale) {
        try (NativeScope s = NativeScope.open()) {
            int m = active == null ? dim : active.length;
            if (state == null) {
                Tensor q = torch.zeros(new long[] {m, 0}, options);
                Tensor e = torch.zeros(new long[] {0}, options);
                NativeScope.keep(q);
                NativeScope.keep(e);
                return new FactorEigen(dim, active, q, e);
            }
            // symmetrise: the float64 sum of Grams is symmetric up to rounding, eigvalsh/eigh read one triangle
            Tensor scaled = state.add(state.t()).mul(new org.bytedeco.pytorch.Scalar(0.5 * scale));
            return FactorEigen.ofDense(dim, active, scaled, lowRank == 0 ? m : lowRank, precise);
        }
    }

    @Override
    public void close() {
        if (state != null) {
            NativeScope.release(state);
            state = null;
        }
    }
}
