package ai.bayeslora.core;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Small conversions between Java arrays and libtorch tensors. Tensors returned here are new and owned by the
 * caller (attached to the caller's scope if one is open, {@link NativeScope#ret}).
 */
public final class Tensors {
    private Tensors() {
    }

    /**
     * {@return an int64 CPU tensor holding a copy of {@code data}, viewed as {@code shape}}
     *
     * @param data the values, row-major
     * @param shape the dimensions; their product must equal {@code data.length}
     */
    public static Tensor ofLongs(long[] data, long... shape) {
        checkNumel(data.length, shape);
        try (LongPointer p = new LongPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Long)).clone();
        }
    }

    /**
     * {@return a float32 CPU tensor holding a copy of {@code data}, viewed as {@code shape}}
     *
     * @param data the values, row-major
     * @param shape the dimensions; their product must equal {@code data.length}
     */
    public static Tensor ofFloats(float[] data, long... shape) {
        checkNumel(data.length, shape);
        try (FloatPointer p = new FloatPointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Float)).clone();
        }
    }

    /**
     * {@return a float64 CPU tensor holding a copy of {@code data}, viewed as {@code shape}}
     *
     * @param data the values, row-major
     * @param shape the dimensions; their product must equal {@code data.length}
     */
    public static Tensor ofDoubles(double[] data, long... shape) {
        checkNumel(data.length, shape);
        try (DoublePointer p = new DoublePointer(data)) {
            return torch.from_blob(p, shape, new TensorOptions(ScalarType.Double)).clone();
        }
    }

    /**
     * {@return all elements as doubles (any dtype, any device), in row-major order}
     *
     * @param t any tensor; not modified
     */
    public static double[] toDoubles(Tensor t) {
        return NativeScope.compute(() -> {
            Tensor c = t.detach().to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Double).contiguous();
            double[] out = new double[(int) c.numel()];
            if (out.length > 0) { // an empty tensor has no data pointer
                c.data_ptr_double().get(out);
            }
            return out;
        });
    }

    /**
     * {@return all elements as floats (any dtype, any device), in row-major order}
     *
     * @param t any tensor; not modified
     */
    public static float[] toFloats(Tensor t) {
        return NativeScope.compute(() -> {
            Tensor c = t.detach().to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Float).contiguous();
            float[] out = new float[(int) c.numel()];
            if (out.length > 0) { // an empty tensor has no data pointer
                c.data_ptr_float().get(out);
            }
            return out;
        });
    }

    /**
     * {@return all elements as longs (integer tensors), in row-major order}
     *
     * @param t an integer tensor; not modified
     */
    public static long[] toLongs(Tensor t) {
        return NativeScope.compute(() -> {
            Tensor c = t.detach().to(new org.bytedeco.pytorch.Device("cpu"), ScalarType.Long).contiguous();
            long[] out = new long[(int) c.numel()];
            if (out.length > 0) { // an empty tensor has no data pointer
                c.data_ptr_long().get(out);
            }
            return out;
        });
    }

    /**
     * {@return the shape as a Java array}
     *
     * @param t any tensor
     */
    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    /**
     * {@code [2, 3]} style shape text for messages.
     *
     * @param shape the dimensions
     * @return the shape as text
     */
    public static String shapeText(long[] shape) {
        return java.util.Arrays.toString(shape);
    }

    /**
     * {@return a libtorch scalar; the caller's scope owns it}
     *
     * @param v the value
     */
    public static Scalar scalar(double v) {
        return new Scalar(v);
    }

    /**
     * {@return the most negative finite value of a floating dtype: the additive mask value transformers uses}
     *
     * @param type float32, float64, bfloat16 or float16
     */
    public static double finfoMin(ScalarType type) {
        switch (type.intern()) { // native-returned enum constants are not canonical
            case Float: return -Float.MAX_VALUE;
            case Double: return -Double.MAX_VALUE;
            case BFloat16: return -3.3895313892515355e38;
            case Half: return -65504.0;
            default: throw new IllegalArgumentException("not a floating dtype: " + type);
        }
    }

    /**
     * {@return whether every entry of a floating-point tensor is finite (no NaN, no ±Inf); integer tensors always are}
     * One host sync.
     *
     * @param t any tensor
     */
    public static boolean allFinite(Tensor t) {
        if (!torch.is_floating_point(t)) {
            return true;
        }
        return NativeScope.compute(() -> torch.isfinite(t).all().item_bool());
    }

    /**
     * {@return the largest absolute elementwise difference of two tensors of the same shape, computed in float64}
     *
     * @param a a tensor
     * @param b a tensor of the same shape
     */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        return NativeScope.compute(() -> {
            Tensor d = a.detach().to(ScalarType.Double).sub(b.detach().to(ScalarType.Double)).abs();
            return d.numel() == 0 ? 0.0 : d.max().item_double();
        });
    }

    private static void checkNumel(int length, long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        if (n != length) {
            throw new IllegalArgumentException("data has " + length + " elements but shape " + shapeText(shape)
                    + " needs " + n);
        }
    }
}
