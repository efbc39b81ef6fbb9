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
    F64(8, ScalarType.Double),
    F32(4, ScalarType.Float),
    F16(2, ScalarType.Half),
    BF16(2, ScalarType.BFloat16),
    F8_E5M2(1, ScalarType.Float8_e5m2),
    F8_E4M3(1, ScalarType.Float8_e4m3fn),
    I64(8, ScalarType.Long),
    I32(4, ScalarType.Int),
    I16(2, ScalarType.Short),
    I8(1, ScalarType.Char),
    U64(8, ScalarType.UInt64),
    U32(4, ScalarType.UInt32),
    U16(2, ScalarType.UInt16),
    U8(1, ScalarType.Byte),
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
