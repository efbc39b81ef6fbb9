package ai.bayeslora.core;

import java.util.Locale;
import java.util.Objects;
import org.bytedeco.pytorch.Device;

/**
 * Where tensors live and which dtype computes there. Chosen explicitly ({@link #cpu()}, {@link #cuda(int)}) or by
 * {@link DeviceSelector#select(String)} with {@code auto}. CPU computes in fp32 (bf16 matmul is ~100x slower there),
 * CUDA in bf16 by default.
 *
 * @param kind CPU or CUDA
 * @param index CUDA device index, 0 for CPU
 * @param dtype the compute dtype for weights and activations
 * @param reason why this device was chosen, for the log line
 */
public record ComputeDevice(Kind kind, int index, DType dtype, String reason) {

    /** Device families supported by the library. */
    public enum Kind {
        /** The host CPU. */
        CPU,
        /** An NVIDIA GPU through libtorch's CUDA backend. */
        CUDA
    }

    /**
     * Checks the fields; a missing reason becomes "requested", and a half-precision CPU device gets a warning in it.
     *
     * @param kind CPU or CUDA
     * @param index CUDA device index, 0 for CPU; not negative
     * @param dtype the compute dtype for weights and activations
     * @param reason why this device was chosen, or null
     */
    public ComputeDevice {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dtype, "dtype");
        reason = reason == null ? "requested" : reason;
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
        if (kind == Kind.CPU && (dtype == DType.BFLOAT16 || dtype == DType.FLOAT16)) {
            // Allowed but slow; the caller asked for it explicitly.
            reason = reason + " (warning: " + dtype.hfName() + " matmul on CPU is very slow; prefer float32)";
        }
    }

    /**
     * CPU with fp32 compute.
     *
     * @return device {@code cpu}, float32
     */
    public static ComputeDevice cpu() {
        return new ComputeDevice(Kind.CPU, 0, DType.FLOAT32, "requested cpu");
    }

    /**
     * CUDA device {@code index} with bf16 compute. Availability is checked by {@link DeviceSelector}.
     *
     * @param index CUDA device index, 0 for CPU
     * @return device {@code cuda:index}, bfloat16
     */
    public static ComputeDevice cuda(int index) {
        return new ComputeDevice(Kind.CUDA, index, DType.BFLOAT16, "requested cuda:" + index);
    }

    /**
     * {@return the same device with another compute dtype}
     *
     * @param newDtype the compute dtype to use instead
     */
    public ComputeDevice withDType(DType newDtype) {
        return new ComputeDevice(kind, index, newDtype, reason);
    }

    /** {@return whether this is a CUDA device} */
    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    /** {@return a new libtorch {@link Device}; the caller owns it (it is a small native object)} */
    public Device torchDevice() {
        return new Device(isCuda() ? "cuda:" + index : "cpu");
    }

    /**
     * {@code cpu} or {@code cuda:N}.
     *
     * @return the device name as libtorch and the CLI spell it
     */
    public String name() {
        return isCuda() ? "cuda:" + index : "cpu";
    }

    @Override
    public String toString() {
        return name() + "/" + dtype.hfName().toLowerCase(Locale.ROOT);
    }
}
