package ai.bayeslora.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Decoder-only architectures the library runs, keyed by HF {@code model_type}. They share one forward
 * (RMSNorm, RoPE, grouped-query attention, SwiGLU MLP) and differ only in config semantics: biases, sliding windows,
 * RoPE defaults.
 */
public enum Architecture {
    /** Llama and Llama-like models ({@code model_type} {@code llama}). */
    LLAMA("llama"),
    /** Mistral ({@code mistral}): Llama's forward with sliding-window attention. */
    MISTRAL("mistral"),
    /** Qwen2 ({@code qwen2}): biases on q/k/v, per-layer sliding windows. */
    QWEN2("qwen2");

    private final String modelType;

    Architecture(String modelType) {
        this.modelType = modelType;
    }

    /** {@return the HF {@code model_type} string} */
    public String modelType() {
        return modelType;
    }

    /**
     * Comma-separated list of supported {@code model_type} values, for error messages.
     *
     * @return the supported values, for example {@code "llama, mistral, qwen2"}
     */
    public static String supported() {
        return Arrays.stream(values()).map(Architecture::modelType).collect(Collectors.joining(", "));
    }

    /**
     * The architecture of an HF {@code model_type} (case and surrounding spaces ignored).
     *
     * @param modelType the config's {@code model_type}
     * @param source the config's file or label, for the message
     * @return the matching architecture
     * @throws UnsupportedArchitectureException if {@code modelType} is none of {@link #supported()}
     */
    public static Architecture fromModelType(String modelType, String source) {
        String t = modelType == null ? "" : modelType.trim().toLowerCase(Locale.ROOT);
        for (Architecture a : values()) {
            if (a.modelType.equals(t)) {
                return a;
            }
        }
        throw new UnsupportedArchitectureException(source + ": unsupported model_type '" + modelType
                + "'; supported model_type values: " + supported());
    }
}
