package ai.bayeslora.uncertainty.metrics.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.InvalidMetricInputException;
import ai.bayeslora.uncertainty.metrics.LabeledProbabilities;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Copies libtorch tensors (any device) into Java arrays for the metrics ({@code uncertainty.interop.TensorMetrics}). Metrics are cheap, so they run on float64
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

    /**
     * Labels as class indices for {@code classes} classes: a label outside the int range fails here as out of range
     * (narrowing would wrap it into range); the others are range-checked by the array path.
     */
    public static int[] classIndices(Tensor t, int classes) {
        long[] wide = labels(t);
        int[] out = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            if (wide[i] != (int) wide[i]) {
                Checks.label(wide[i], i, classes);
            }
            out[i] = (int) wide[i];
        }
        return out;
    }

    /**
     * A [S, B, C] floating tensor as validated samples: S, B, C ≥ 1 and every row checked by
     * {@link Checks#probabilityRow} with tolerance {@link LabeledProbabilities#DEFAULT_TOLERANCE}.
     *
     * @param classLabels C labels, or null for "0" … "C−1"
     */
    public static ProbabilitySamples samples(Tensor t, List<String> classLabels) {
        int[] shape = new int[3];
        double[] flat = cube(t, "probability samples", shape);
        if (shape[0] < 1 || shape[2] < 1) {
            throw new InvalidMetricInputException("probability samples need S >= 1 and C >= 1, got shape ["
                    + shape[0] + ", " + shape[1] + ", " + shape[2] + "]");
        }
        Checks.nonEmpty(shape[1], "the metrics");
        int c = shape[2];
        double[] row = new double[c];
        for (int k = 0; k < shape[0]; k++) {
            for (int i = 0; i < shape[1]; i++) {
                System.arraycopy(flat, (k * shape[1] + i) * c, row, 0, c);
                Checks.probabilityRow(row, LabeledProbabilities.DEFAULT_TOLERANCE, "sample " + k + ", example " + i);
            }
        }
        List<String> names = classLabels;
        if (names == null) {
            names = new ArrayList<>(c);
            for (int j = 0; j < c; j++) {
                names.add(Integer.toString(j));
            }
        } else if (names.size() != c) {
            throw new InvalidMetricInputException(names.size() + " class labels for " + c + " classes");
        }
        return new ProbabilitySamples(flat, shape[0], shape[1], c, names);
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
