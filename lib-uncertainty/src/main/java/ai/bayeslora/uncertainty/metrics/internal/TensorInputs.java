package ai.bayeslora.uncertainty.metrics.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.uncertainty.metrics.InvalidMetricInputException;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Copies libtorch tensors (any device) into Java arrays for the metrics. Metrics are cheap, so they run on float64
 * Java arrays; the values are exactly those of the tensor widened to double. Only shape and dtype are checked here;
 * value checks (range, row sums, label range) are the array path's, so both paths validate alike.
 */
public final class TensorInputs {
    private TensorInputs() {
    }

    /** A [N, C] floating tensor as N rows of C doubles. */
    public static double[][] matrix(Tensor t, String what) {
        long[] shape = requireRank(t, 2, what, "[N, C]");
        requireFloating(t, what);
        double[] flat = Tensors.toDoubles(t);
        int n = Math.toIntExact(shape[0]);
        int c = Math.toIntExact(shape[1]);
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * c, (i + 1) * c);
        }
        return out;
    }

    /** A [S, B, C] floating tensor as a flat row-major array; {@code shapeOut} receives S, B, C. */
    public static double[] cube(Tensor t, String what, int[] shapeOut) {
        long[] shape = requireRank(t, 3, what, "[S, B, C]");
        requireFloating(t, what);
        for (int i = 0; i < 3; i++) {
            shapeOut[i] = Math.toIntExact(shape[i]);
        }
        return Tensors.toDoubles(t);
    }

    /** A [N] floating tensor of scores. */
    public static double[] vector(Tensor t, String what) {
        requireRank(t, 1, what, "[N]");
        requireFloating(t, what);
        return Tensors.toDoubles(t);
    }

    /** A [N] integer tensor (int64, int32, int16, int8 or uint8) of class labels, unchecked for range. */
    public static long[] labels(Tensor t) {
        requireRank(t, 1, "labels", "[N]");
        ScalarType type = t.scalar_type();
        if (t.is_floating_point() || t.is_complex() || type.value == ScalarType.Bool.value) {
            throw new InvalidMetricInputException("labels must be an integer tensor (int64 class indices), got "
                    + type.intern());
        }
        return Tensors.toLongs(t);
    }

    /** A [N] bool tensor, or an integer tensor holding only 0 and 1, as booleans. */
    public static boolean[] flags(Tensor t, String what) {
        requireRank(t, 1, what, "[N]");
        if (t.is_floating_point() || t.is_complex()) {
            throw new InvalidMetricInputException(what + " must be a bool or 0/1 integer tensor, got "
                    + t.scalar_type().intern());
        }
        long[] v = Tensors.toLongs(t);
        boolean[] out = new boolean[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 1) {
                throw new InvalidMetricInputException(what + " of example " + i + " is " + v[i] + ", not 0 or 1");
            }
            out[i] = v[i] == 1;
        }
        return out;
    }

    private static long[] requireRank(Tensor t, int rank, String what, String expected) {
        long[] shape = Tensors.shape(t);
        if (shape.length != rank) {
            throw new InvalidMetricInputException(what + " must have shape " + expected + ", got "
                    + Tensors.shapeText(shape));
        }
        return shape;
    }

    private static void requireFloating(Tensor t, String what) {
        if (!t.is_floating_point()) {
            throw new InvalidMetricInputException(what + " must be a floating-point tensor, got "
                    + t.scalar_type().intern());
        }
    }
}
