package ai.bayeslora.spark.internal;

import ai.bayeslora.lora.LoraConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LoraConfig} in serializable form, for Spark closures; {@code of(c).config().equals(c)}.
 *
 * @param rank r
 * @param alpha the scale's numerator
 * @param dropout the LoRA dropout probability
 * @param useRslora whether the scale is alpha/√r
 * @param targets the module-name suffixes
 * @param layers the adapted layer indices (empty for all)
 * @param init A's initialisation
 */
public record LoraSpec(int rank, double alpha, double dropout, boolean useRslora, ArrayList<String> targets,
                       ArrayList<Integer> layers, LoraConfig.Init init) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The serializable form of {@code c}.
     *
     * @param c the configuration
     * @return its components
     */
    public static LoraSpec of(LoraConfig c) {
        return new LoraSpec(c.rank(), c.alpha(), c.dropout(), c.useRslora(), new ArrayList<>(c.targetModules()),
                new ArrayList<>(c.layersToTransform()), c.init());
    }

    /** {@return the configuration again} */
    public LoraConfig config() {
        return LoraConfig.builder().rank(rank).alpha(alpha).dropout(dropout).useRslora(useRslora)
                .targetModules(List.copyOf(targets)).layersToTransform(List.copyOf(layers)).init(init).build();
    }
}
