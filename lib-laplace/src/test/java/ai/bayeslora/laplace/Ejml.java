package ai.bayeslora.laplace;

import ai.bayeslora.core.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.LUDecomposition_F64;

/** Dense float64 linear algebra in pure Java (EJML) for the test oracles, independent of libtorch's LAPACK. */
final class Ejml {
    private Ejml() {
    }

    static DMatrixRMaj of(Tensor square) {
        int n = (int) square.size(0);
        return DMatrixRMaj.wrap(n, (int) square.size(1), Tensors.toDoubles(square));
    }

    static DMatrixRMaj plusDiagonal(DMatrixRMaj m, double lambda) {
        DMatrixRMaj c = m.copy();
        for (int i = 0; i < c.numRows; i++) {
            c.add(i, i, lambda);
        }
        return c;
    }

    static DMatrixRMaj inverse(DMatrixRMaj m) {
        DMatrixRMaj inv = m.copy();
        if (!CommonOps_DDRM.invert(inv)) {
            throw new IllegalStateException("singular");
        }
        return inv;
    }

    /** X = m⁻¹ b for a symmetric positive definite m, by Cholesky (backward stable; no explicit inverse). */
    static DMatrixRMaj solveSpd(DMatrixRMaj m, DMatrixRMaj b) {
        org.ejml.interfaces.linsol.LinearSolverDense<DMatrixRMaj> chol =
                org.ejml.dense.row.factory.LinearSolverFactory_DDRM.chol(m.numRows);
        if (!chol.setA(m.copy())) {
            throw new IllegalStateException("not positive definite");
        }
        DMatrixRMaj x = new DMatrixRMaj(b.numRows, b.numCols);
        chol.solve(b.copy(), x);
        return x;
    }

    /** Frobenius norm. */
    static double fro(DMatrixRMaj m) {
        return org.ejml.dense.row.NormOps_DDRM.normF(m);
    }

    /** log |det m| from the LU factors. */
    static double logDet(DMatrixRMaj m) {
        LUDecomposition_F64<DMatrixRMaj> lu = DecompositionFactory_DDRM.lu(m.numRows, m.numCols);
        if (!lu.decompose(m.copy())) {
            throw new IllegalStateException("LU failed");
        }
        DMatrixRMaj u = lu.getUpper(null);
        double s = 0;
        for (int i = 0; i < u.numRows; i++) {
            s += Math.log(Math.abs(u.get(i, i)));
        }
        return s;
    }

    static Tensor toTensor(DMatrixRMaj m) {
        return Tensors.ofDoubles(m.getData().clone(), m.numRows, m.numCols);
    }
}
