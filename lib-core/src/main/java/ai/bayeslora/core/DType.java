package ai.bayeslora.core;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Floating-point compute dtypes. CPU inference and training use {@link #FLOAT32} (bf16 matmul on CPU runs at about
 * 1 GFLOP/s, see docs/JAVACPP-PYTORCH.md); {@link #FLOAT64} is the validation mode; {@link #BFLOAT16} and
 * {@link #FLOAT16} are for CUDA.
 */
public enum DType {
    /** IEEE single precision; the CPU default. */
    FLOAT32(ScalarType.Float, 4, "float32"),
    /** IEEE double precision: the validation mode for oracles and finite differences. */
    FLOAT64(ScalarType.Double, 8, "float64"),
    /** bfloat16 (8-bit exponent, 7-bit mantissa); the CUDA default. */
    BFLOAT16(ScalarType.BFloat16, 2, "bfloat16"),
    /** IEEE half precision (5-bit exponent, 10-bit mantissa). */
    FLOAT16(ScalarType.Half, 2, "float16");

    private final ScalarType scalarType;
    private final int byteSize;
    private final String hfName;

    DType(ScalarType scalarType, int byteSize, String hfName) {
        this.scalarType = scalarType;
        this.byteSize = byteSize;
        this.hfName = hfName;
    }

    /** {@return the libtorch scalar type} */
    public ScalarType scalarType() {
        return scalarType;
    }

    /**
     * {@return the compute dtype of a libtorch scalar type, if it is one} Compares by {@code value}: enum constants
     * returned from native code are not the canonical instances (use {@code intern()} or this method, never {@code
     * ==}).
     *
     * @param type a libtorch scalar type, canonical or not
     */
    public static java.util.Optional<DType> of(ScalarType type) {
        for (DType d : values()) {
            if (d.scalarType.value == type.value) {
                return java.util.Optional.of(d);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The dtype of what must not lose small updates or probability mass: LoRA parameters, their gradients and
     * optimizer state, SWAG moments, Laplace samples, class logits before the softmax (docs/METHODS.md §2). float64 in
     * float64 mode, float32 otherwise: peft keeps adapters in float32 on a bf16 base, since an AdamW step below half
     * a bf16 ulp of a weight would be lost.
     *
     * @return {@link #FLOAT64} for float64, else {@link #FLOAT32}
     */
    public DType accumulation() {
        return this == FLOAT64 ? FLOAT64 : FLOAT32;
    }

    /** {@return whether this dtype is a 16-bit one (bf16 or fp16), which the LoRA branch and the softmax leave} */
    public boolean isHalf() {
        return this == BFLOAT16 || this == FLOAT16;
    }

    /** {@return the bytes per element} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return the name used by HF configs and the CLI, for example {@code bfloat16}} */
    public String hfName() {
        return hfName;
    }

    /**
     * Parses an HF / CLI dtype name: float32, fp32, float, float64, double, bfloat16, bf16, float16, fp16, half.
     *
     * @param name the dtype name, case-insensitive
     * @return the dtype
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DType parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace("torch.", "");
        switch (n) {
            case "float32": case "fp32": case "float": case "f32": return FLOAT32;
            case "float64": case "fp64": case "double": case "f64": return FLOAT64;
            case "bfloat16": case "bf16": return BFLOAT16;
            case "float16": case "fp16": case "half": case "f16": return FLOAT16;
            default:
                throw new IllegalArgumentException("unknown dtype '" + name
                        + "'; expected one of float32, float64, bfloat16, float16");
        }
    }
}
