package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.Tensors;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Lookups in a loaded posterior state with shape checks; a mismatch is an {@link IllegalStateException} naming it. */
final class State {
    private State() {
    }

    static Tensor require(Map<String, Tensor> state, String name, long... shape) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new IllegalStateException("tensor '" + name + "' missing from the posterior state");
        }
        if (shape.length > 0 && !Arrays.equals(Tensors.shape(t), shape)) {
            throw new IllegalStateException("tensor '" + name + "' has shape " + Tensors.shapeText(Tensors.shape(t))
                    + ", expected " + Tensors.shapeText(shape));
        }
        return t;
    }

    /**
     * {@link #require}, and every entry finite: a NaN or Inf in the curvature would turn every prediction into NaN.
     */
    static Tensor requireFinite(Map<String, Tensor> state, String name, long... shape) {
        Tensor t = require(state, name, shape);
        if (!Tensors.allFinite(t)) {
            throw new IllegalStateException("tensor '" + name + "' holds NaN or infinite values");
        }
        return t;
    }

    /**
     * Eigenvalues (or a diagonal) of a curvature, which is positive semi-definite: finite, and not below zero by more
     * than rounding (10⁻⁸ of the largest; K-FAC and DIAG write exact zeros, FULL's eigh can round a zero to −10⁻¹⁶).
     */
    static Tensor requireSpectrum(Map<String, Tensor> state, String name, long... shape) {
        Tensor t = requireFinite(state, name, shape);
        double[] v = Tensors.toDoubles(t);
        double max = 0;
        double min = 0;
        for (double x : v) {
            max = Math.max(max, Math.abs(x));
            min = Math.min(min, x);
        }
        if (min < -1e-8 * max) {
            throw new IllegalStateException("tensor '" + name + "' has a negative eigenvalue " + min + " (a curvature "
                    + "is positive semi-definite)");
        }
        return t;
    }

    /** Row indices of an active-row factor: strictly increasing, in [0, dim). */
    static long[] requireIndices(String name, long[] active, int dim) {
        for (int i = 0; i < active.length; i++) {
            if (active[i] < 0 || active[i] >= dim || (i > 0 && active[i] <= active[i - 1])) {
                throw new IllegalStateException("tensor '" + name + "' must hold strictly increasing row indices in "
                        + "[0, " + dim + "), got " + active[i] + " at position " + i);
            }
        }
        return active;
    }
}
