package ai.bayeslora.core.testing;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import java.util.Locale;

/**
 * The device model-level tests run on, and the tolerances that depend on it, in one place. The system property
 * {@code bayeslora.test.device} picks it: {@code cpu} (the default), {@code cuda} or {@code cuda:N}
 * ({@code mvn -Pgpu test -Dbayeslora.test.device=cuda}). Tests choose their dtype with
 * {@code TestDevices.device().withDType(...)}; float64 oracles run in float64 on either device.
 */
public final class TestDevices {
    /** The system property that names the test device. */
    public static final String PROPERTY = "bayeslora.test.device";

    private TestDevices() {
    }

    /** The test device in float32. */
    public static ComputeDevice device() {
        String name = System.getProperty(PROPERTY, "cpu").trim().toLowerCase(Locale.ROOT);
        ComputeDevice d = name.equals("cpu") ? ComputeDevice.cpu() : DeviceSelector.select(name);
        return d.withDType(DType.FLOAT32);
    }

    /** The test device in {@code dtype}. */
    public static ComputeDevice device(DType dtype) {
        return device().withDType(dtype);
    }

    /** Whether the tests run on CUDA. */
    public static boolean cuda() {
        return device().isCuda();
    }

    /**
     * The tolerance of a float32 comparison between two computations of the same quantity on the tiny models (about
     * 170 float32 ulps on the CPU; cuBLAS and cuDNN pick kernels with other reduction orders and TF32 paths, so 10×
     * on CUDA).
     */
    public static double float32Tolerance() {
        return cuda() ? 1e-4 : 1e-5;
    }

    /**
     * Whether two runs of the same computation give the same bits on the test device. On the CPU they do (a resumed
     * training run ends with the uninterrupted run's bytes). On CUDA the dropout streams are restored exactly, but the
     * backward of fused attention accumulates with atomics and cuBLAS may choose other reduction orders, so reruns
     * agree only to rounding: tests compare within {@link #float32Tolerance()} there (docs/DEVELOPING.md, "Devices").
     */
    public static boolean bitwiseReproducible() {
        return !cuda();
    }
}
