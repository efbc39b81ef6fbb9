package ai.bayeslora.laplace.internal;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The float64 sums a curvature builder accumulates, as Java arrays: everything the factorisation needs, and nothing
 * per example, so that sums over disjoint parts of the data add to the sum over the whole (docs/SPARK.md, "Laplace
 * over partitions"). Term layout by structure:
 * <ul>
 *   <li>FULL: term 0, the Gram Σ_n Σ_k g g ᵀ [P, P], packed upper triangle;</li>
 *   <li>DIAG: term 0, Σ g∘g [P];</li>
 *   <li>KFAC, KFAC_LOWRANK: term 2b the input-side Gram Σ a aᵀ of block b, term 2b+1 its output-side Gram Σ g gᵀ
 *       (packed upper triangles of [m, m], m the active coordinates), and {@link #inputRows()} N_b, the K-FAC
 *       normalisation's row count.</li>
 * </ul>
 * A null term is zero (no rows yet). Immutable once built.
 */
public final class CurvatureTerms implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Per term: a packed symmetric sum (side {@code sides[i]}) or a vector, or null for zero. */
    private final double[][] values;
    /** Per term: whether {@code values[i]} is a packed upper triangle (else a vector). */
    private final boolean[] packed;
    /** Per term: the side m (packed) or the length (vector). */
    private final int[] sides;
    /** Per term: the coordinates of the m rows (lm_head's answer rows), or null for all. */
    private final long[][] active;
    /** Per term: some rows were float64 (factorise in float64). */
    private final boolean[] precise;
    /** K-FAC: input-side rows per block; empty for FULL and DIAG. */
    private final long[] inputRows;

    /**
     * @param values per term, a packed symmetric sum or a vector, null for zero (taken, not copied)
     * @param packed per term, whether it is packed
     * @param sides per term, the side or the length
     * @param active per term, the active coordinates or null
     * @param precise per term, whether float64 rows contributed
     * @param inputRows K-FAC row counts per block (empty otherwise)
     */
    public CurvatureTerms(double[][] values, boolean[] packed, int[] sides, long[][] active, boolean[] precise,
                          long[] inputRows) {
        int n = values.length;
        if (packed.length != n || sides.length != n || active.length != n || precise.length != n) {
            throw new IllegalArgumentException("term arrays of different lengths");
        }
        for (int i = 0; i < n; i++) {
            if (values[i] != null && values[i].length != length(packed[i], sides[i])) {
                throw new IllegalArgumentException("term " + i + " has " + values[i].length + " values, expected "
                        + length(packed[i], sides[i]));
            }
        }
        this.values = values;
        this.packed = packed;
        this.sides = sides;
        this.active = active;
        this.precise = precise;
        this.inputRows = inputRows;
    }

    private static long length(boolean packed, int side) {
        return packed ? (long) side * (side + 1) / 2 : side;
    }

    /** {@return the number of terms} */
    public int size() {
        return values.length;
    }

    /** {@return term i's values (shared; do not modify), or null for zero} */
    public double[] values(int i) {
        return values[i];
    }

    /** {@return whether term i is a packed upper triangle} */
    public boolean packed(int i) {
        return packed[i];
    }

    /** {@return term i's side (packed) or length (vector)} */
    public int side(int i) {
        return sides[i];
    }

    /** {@return term i's active coordinates, or null for all} */
    public long[] active(int i) {
        return active[i];
    }

    /** {@return whether float64 rows contributed to term i} */
    public boolean precise(int i) {
        return precise[i];
    }

    /** {@return the K-FAC input-side row count per block (a copy; empty for FULL and DIAG)} */
    public long[] inputRows() {
        return inputRows.clone();
    }

    /** {@return the number of float64 values held (the payload is 8 bytes each)} */
    public long doubles() {
        long n = 0;
        for (double[] v : values) {
            n += v == null ? 0 : v.length;
        }
        return n;
    }

    /**
     * The elementwise sum with {@code o}, which must have the same terms (sides, packing, active rows).
     *
     * @param o the other sums
     * @return a new object; a term null in both stays null
     */
    public CurvatureTerms plus(CurvatureTerms o) {
        if (o.values.length != values.length || !Arrays.equals(o.sides, sides) || !Arrays.equals(o.packed, packed)
                || o.inputRows.length != inputRows.length) {
            throw new IllegalArgumentException("curvature sums of different shapes cannot be added");
        }
        int n = values.length;
        double[][] v = new double[n][];
        long[][] act = new long[n][];
        boolean[] pr = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (values[i] != null && o.values[i] != null && !Arrays.equals(active[i], o.active[i])) {
                throw new IllegalArgumentException("factor " + i + " lives on rows " + Arrays.toString(active[i])
                        + " in one part and " + Arrays.toString(o.active[i]) + " in the other (the answer tokens must be"
                        + " the same for the whole fit)");
            }
            v[i] = add(values[i], o.values[i]);
            act[i] = values[i] != null ? active[i] : o.active[i];
            pr[i] = precise[i] | o.precise[i];
        }
        long[] rows = new long[inputRows.length];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = inputRows[b] + o.inputRows[b];
        }
        return new CurvatureTerms(v, packed.clone(), sides.clone(), act, pr, rows);
    }

    private static double[] add(double[] a, double[] b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /**
     * Only term {@code i} of this object (the others zero), with the row counts when {@code withCounts}: the pieces
     * {@code only(0, true)}, {@code only(1, false)}, … add up to this object exactly (no arithmetic on the values).
     *
     * @param i the term kept, or -1 for none
     * @param withCounts whether the K-FAC row counts are kept (else zero)
     * @return the piece
     */
    public CurvatureTerms only(int i, boolean withCounts) {
        int n = values.length;
        double[][] v = new double[n][];
        long[][] act = new long[n][];
        boolean[] pr = new boolean[n];
        if (i >= 0) {
            v[i] = values[i];
            act[i] = active[i];
            pr[i] = precise[i];
        }
        return new CurvatureTerms(v, packed.clone(), sides.clone(), act, pr,
                withCounts ? inputRows.clone() : new long[inputRows.length]);
    }

    /**
     * The packed upper triangle of a symmetric [m, m] row-major matrix: rows i ≤ j, row by row.
     *
     * @param full m·m values
     * @param m the side
     * @return m(m+1)/2 values
     */
    public static double[] pack(double[] full, int m) {
        double[] out = new double[Math.toIntExact((long) m * (m + 1) / 2)];
        int k = 0;
        for (int i = 0; i < m; i++) {
            System.arraycopy(full, i * m + i, out, k, m - i);
            k += m - i;
        }
        return out;
    }

    /**
     * The symmetric [m, m] row-major matrix of a packed upper triangle (both triangles equal, exactly).
     *
     * @param packed m(m+1)/2 values from {@link #pack}
     * @param m the side
     * @return m·m values
     */
    public static double[] unpack(double[] packed, int m) {
        double[] out = new double[Math.multiplyExact(m, m)];
        int k = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                double x = packed[k++];
                out[i * m + j] = x;
                out[j * m + i] = x;
            }
        }
        return out;
    }
}
