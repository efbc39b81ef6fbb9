package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import java.util.Arrays;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Accumulates a Kronecker factor Σ_i r_i r_iᵀ from batches of rows r_i as a dense d×d float64 Gram; its sum
 * ({@link #packedSum}) goes into the fit's {@link CurvatureTerms}, whose eigen form {@link CurvatureFinish} computes:
 * all eigenpairs, or — for a side of at least the low-rank threshold — the k largest (METHODS.md §6). The low-rank factor is thus the best rank-k approximation of the whole sum, computed once; the
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
    private final org.bytedeco.pytorch.Device device;
    private final int dim;
    private long[] active;
    private boolean activeSet;
    private Tensor state; // dense [m, m], float64, retained
    private boolean precise; // some rows were float64 (a float64 model): factorise in float64

    /**
     * @param dim side length
     * @param device where the factor lives (the model's device); rows are moved there
     */
    public FactorAccumulator(int dim, org.bytedeco.pytorch.Device device) {
        this.dim = dim;
        this.device = device;
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
            if (state == null) {
                replace(gram);
            } else {
                state.add_(gram); // in place: no new [m, m] tensor per batch
            }
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

    /** {@return the side m of the accumulated Gram: the active coordinates, or the whole side} */
    public int side() {
        return active == null ? dim : active.length;
    }

    /** {@return the coordinates the rows live on, or null for all (also before the first update)} */
    public long[] active() {
        return active == null ? null : active.clone();
    }

    /** {@return whether float64 rows contributed (the factor is then factorised in float64)} */
    public boolean precise() {
        return precise;
    }

    /**
     * The accumulated Gram Σ rows rowsᵀ as a packed upper triangle ({@link CurvatureTerms#pack}), copied to the
     * Java heap once, at the end of a pass; null if no rows were added.
     *
     * @return m(m+1)/2 float64 values, or null
     */
    public double[] packedSum() {
        if (state == null) {
            return null;
        }
        return CurvatureTerms.pack(ai.bayeslora.core.Tensors.toDoubles(state), side());
    }

    @Override
    public void close() {
        if (state != null) {
            NativeScope.release(state);
            state = null;
        }
    }
}
