package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Element types of the safetensors format, as spelled in the header's {@code "dtype"} field, with their byte size and
 * the matching libtorch {@link ScalarType}. All values are stored little-endian; {@link #BOOL} is one byte, 0 or 1.
 */
public enum SafetensorsDType {
    /** IEEE float64. */
    F64(8, ScalarType.Double),
    /** IEEE float32. */
    F32(4, ScalarType.Float),
    /** IEEE float16. */
    F16(2, ScalarType.Half),
    /** bfloat16. */
    BF16(2, ScalarType.BFloat16),
    /** 8-bit float, 5 exponent and 2 mantissa bits. */
    F8_E5M2(1, ScalarType.Float8_e5m2),
    /** 8-bit float, 4 exponent and 3 mantissa bits (finite-only variant, libtorch's float8_e4m3fn). */
    F8_E4M3(1, ScalarType.Float8_e4m3fn),
    /** Signed 64-bit integer. */
    I64(8, ScalarType.Long),
    /** Signed 32-bit integer. */
    I32(4, ScalarType.Int),
    /** Signed 16-bit integer. */
    I16(2, ScalarType.Short),
    /** Signed 8-bit integer. */
    I8(1, ScalarType.Char),
    /** Unsigned 64-bit integer. */
    U64(8, ScalarType.UInt64),
    /** Unsigned 32-bit integer. */
    U32(4, ScalarType.UInt32),
    /** Unsigned 16-bit integer. */
    U16(2, ScalarType.UInt16),
    /** Unsigned 8-bit integer. */
    U8(1, ScalarType.Byte),
    /** Boolean, one byte (0 or 1). */
    BOOL(1, ScalarType.Bool);

    private final int byteSize;
    private final ScalarType scalarType;

    SafetensorsDType(int byteSize, ScalarType scalarType) {
        this.byteSize = byteSize;
        this.scalarType = scalarType;
    }

    /** {@return the bytes per element} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return the libtorch scalar type with the same bit layout} */
    public ScalarType scalarType() {
        return scalarType;
    }

    /** {@return whether this is a floating-point type (F64, F32, F16, BF16, F8_*)} */
    public boolean isFloatingPoint() {
        return this.ordinal() <= F8_E4M3.ordinal();
    }

    /**
     * {@return the header spelling, for example {@code "BF16"}, or empty if {@code name} is not a known dtype
     * (case-sensitive)}
     *
     * @param name the header's {@code "dtype"} value
     */
    public static Optional<SafetensorsDType> fromHeaderName(String name) {
        for (SafetensorsDType d : values()) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The safetensors dtype that stores libtorch {@code type} bit for bit. Accepts the non-canonical ScalarType
     * objects that native calls such as {@code Tensor.scalar_type()} return (they are not {@code ==} to the
     * constants, so this compares by {@code intern()}).
     *
     * @param type a libtorch scalar type, canonical or not
     * @return the matching safetensors dtype
     * @throws BayesLoraException if safetensors has no such type (complex, quantized, sub-byte types)
     */
    public static SafetensorsDType fromScalarType(ScalarType type) {
        ScalarType canonical = type.intern();
        for (SafetensorsDType d : values()) {
            if (d.scalarType == canonical) {
                return d;
            }
        }
        throw new BayesLoraException("libtorch dtype " + type + " cannot be stored in safetensors; supported: "
                + knownNames());
    }

    /** {@return all header spellings, for error messages: {@code F64, F32, ...}} */
    public static String knownNames() {
        List<String> names = Arrays.stream(values()).map(Enum::name).collect(Collectors.toList());
        return String.join(", ", names);
    }
}
