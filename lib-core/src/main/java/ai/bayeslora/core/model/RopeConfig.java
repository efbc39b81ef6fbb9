package ai.bayeslora.core.model;

/**
 * Rotary position embedding parameters, from {@code rope_parameters} (transformers 5) or top-level
 * {@code rope_theta} plus {@code rope_scaling} (older configs).
 *
 * @param theta base θ of the inverse frequencies 1/θ^(2i/d)
 * @param type scaling type
 * @param factor scaling factor (linear, dynamic, llama3); 1 for default
 * @param lowFreqFactor llama3 low-frequency factor
 * @param highFreqFactor llama3 high-frequency factor
 * @param originalMaxPositions llama3/dynamic original context length
 * @param partialRotaryFactor fraction of head_dim that is rotated (1 = all)
 */
public record RopeConfig(double theta, Type type, double factor, double lowFreqFactor, double highFreqFactor,
                         int originalMaxPositions, double partialRotaryFactor) {

    /** Supported {@code rope_type} values. */
    public enum Type {
        /** Plain RoPE. */
        DEFAULT("default"),
        /** Position interpolation: inverse frequencies divided by {@code factor}. */
        LINEAR("linear"),
        /** Dynamic NTK: θ grows with the sequence length once it exceeds the original context. */
        DYNAMIC("dynamic"),
        /** Llama 3.1 frequency-dependent scaling. */
        LLAMA3("llama3");

        private final String hfName;

        Type(String hfName) {
            this.hfName = hfName;
        }

        /** {@return the HF {@code rope_type} spelling} */
        public String hfName() {
            return hfName;
        }

        static Type parse(String name, String source) {
            for (Type t : values()) {
                if (t.hfName.equals(name)) {
                    return t;
                }
            }
            StringBuilder ok = new StringBuilder();
            for (Type t : values()) {
                ok.append(ok.length() == 0 ? "" : ", ").append(t.hfName);
            }
            throw new UnsupportedArchitectureException(source + ": unsupported rope_type '" + name
                    + "'; supported: " + ok);
        }
    }

    /**
     * Plain RoPE with base θ.
     *
     * @param theta base θ of the inverse frequencies 1/θ^(2i/d)
     * @return θ with no scaling, all dimensions rotated
     */
    public static RopeConfig defaults(double theta) {
        return new RopeConfig(theta, Type.DEFAULT, 1.0, 1.0, 4.0, 0, 1.0);
    }
}
