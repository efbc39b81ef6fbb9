package ai.bayeslora.lora;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LoRA hyper-parameters with peft's semantics (METHODS.md §2): {@code h = W x + s · B A dropout(x)} with
 * {@code s = α/r}, or {@code α/√r} with rsLoRA. Build with {@link #builder()}.
 *
 * @param rank r, rows of A and columns of B
 * @param alpha α, numerator of the scale
 * @param dropout dropout probability on the LoRA input during training (peft default 0)
 * @param useRslora scale α/√r instead of α/r
 * @param targetModules module-name suffixes to adapt, e.g. q_proj, v_proj, lm_head
 * @param layersToTransform decoder layer indices to adapt; empty for all layers
 * @param init initialisation of A (B starts at zero)
 */
public record LoraConfig(int rank, double alpha, double dropout, boolean useRslora, List<String> targetModules,
                         List<Integer> layersToTransform, Init init) {

    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

    /** How A is initialised; B is always zero so that training starts from the base model. */
    public enum Init {
        /** peft default: Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in). */
        KAIMING_UNIFORM,
        /** N(0, 1/r), peft's {@code init_lora_weights="gaussian"}. */
        GAUSSIAN
    }

    /**
     * Checks the settings: r &gt; 0, dropout in [0, 1), at least one target module.
     *
     * @param rank r, rows of A and columns of B
     * @param alpha α, numerator of the scale
     * @param dropout dropout probability on the LoRA input during training (peft default 0)
     * @param useRslora scale α/√r instead of α/r
     * @param targetModules module-name suffixes to adapt, e.g. q_proj, v_proj, lm_head
     * @param layersToTransform decoder layer indices to adapt; empty for all layers
     * @param init initialisation of A (B starts at zero)
     */
    public LoraConfig {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + rank);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        targetModules = List.copyOf(targetModules);
        if (targetModules.isEmpty()) {
            throw new IllegalArgumentException("target_modules is empty");
        }
        layersToTransform = List.copyOf(layersToTransform);
        Objects.requireNonNull(init, "init");
    }

    /** {@return the LoRA scale s = α/r, or α/√r with rsLoRA} */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /**
     * {@return whether peft would adapt the module with this full name (suffix match on a dot boundary, layer filter)}
     *
     * @param moduleName a full HF module name
     */
    public boolean targets(String moduleName) {
        boolean suffix = targetModules.stream().anyMatch(t -> moduleName.equals(t) || moduleName.endsWith("." + t));
        if (!suffix) {
            return false;
        }
        if (layersToTransform.isEmpty()) {
            return true;
        }
        Optional<Integer> layer = layerIndex(moduleName);
        return layer.isPresent() && layersToTransform.contains(layer.get());
    }

    /**
     * {@return the decoder layer index in a module name such as {@code model.layers.3.self_attn.q_proj}}
     *
     * @param moduleName a full HF module name
     */
    public static Optional<Integer> layerIndex(String moduleName) {
        Matcher m = LAYER.matcher(moduleName);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    /** {@return a builder starting from peft's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder with peft's defaults: r=8, α=8, dropout 0, targets q_proj and v_proj, Kaiming-uniform A. */
    public static final class Builder {
        private int rank = 8;
        private double alpha = 8;
        private double dropout = 0;
        private boolean useRslora;
        private List<String> targets = List.of("q_proj", "v_proj");
        private List<Integer> layers = List.of();
        private Init init = Init.KAIMING_UNIFORM;

        /**
         * Sets {@link LoraConfig#rank() rank}.
         *
         * @param r r, rows of A and columns of B
         * @return this builder
         */
        public Builder rank(int r) {
            this.rank = r;
            return this;
        }

        /**
         * Sets {@link LoraConfig#alpha() alpha}.
         *
         * @param a α, numerator of the scale
         * @return this builder
         */
        public Builder alpha(double a) {
            this.alpha = a;
            return this;
        }

        /**
         * Sets {@link LoraConfig#dropout() dropout}.
         *
         * @param p dropout probability on the LoRA input during training (peft default 0)
         * @return this builder
         */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /**
         * Sets {@link LoraConfig#useRslora() useRslora}.
         *
         * @param on scale α/√r instead of α/r
         * @return this builder
         */
        public Builder useRslora(boolean on) {
            this.useRslora = on;
            return this;
        }

        /**
         * Sets {@link LoraConfig#targetModules() targetModules}.
         *
         * @param suffixes module-name suffixes to adapt, e.g. q_proj, v_proj, lm_head
         * @return this builder
         */
        public Builder targetModules(String... suffixes) {
            this.targets = List.of(suffixes);
            return this;
        }

        /**
         * Sets {@link LoraConfig#targetModules() targetModules}.
         *
         * @param suffixes module-name suffixes to adapt, e.g. q_proj, v_proj, lm_head
         * @return this builder
         */
        public Builder targetModules(List<String> suffixes) {
            this.targets = List.copyOf(suffixes);
            return this;
        }

        /**
         * Sets {@link LoraConfig#layersToTransform() layersToTransform}.
         *
         * @param indices decoder layer indices to adapt
         * @return this builder
         */
        public Builder layersToTransform(List<Integer> indices) {
            this.layers = List.copyOf(indices);
            return this;
        }

        /**
         * Sets {@link LoraConfig#init() init}.
         *
         * @param i initialisation of A (B starts at zero)
         * @return this builder
         */
        public Builder init(Init i) {
            this.init = i;
            return this;
        }

        /** {@return the configuration} */
        public LoraConfig build() {
            return new LoraConfig(rank, alpha, dropout, useRslora, targets, layers, init);
        }
    }
}
