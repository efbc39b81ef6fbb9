package ai.bayeslora.lora;

import ai.bayeslora.core.model.CausalLM;
import java.util.SplittableRandom;

/**
 * Adapters with non-zero weights for tests of later modules (lib-laplace, lib-spark, the CLI): peft's layout from
 * {@link LoraAdapter#create}, then every parameter drawn uniformly from [−scale, scale), so that B ≠ 0 and the adapter
 * changes the model's outputs.
 */
public final class TestAdapters {
    private TestAdapters() {
    }

    /**
     * A new adapter (the caller closes it).
     *
     * @param model the base model
     * @param config the LoRA layout
     * @param createSeed the seed of {@link LoraAdapter#create} (it fixes nothing here but the object's seed)
     * @param valueSeed the seed of the uniform values
     * @param scale the values' half-width
     * @return the adapter
     */
    public static LoraAdapter uniform(CausalLM model, LoraConfig config, long createSeed, long valueSeed,
                                      double scale) {
        LoraAdapter a = LoraAdapter.create(model, config, createSeed);
        SplittableRandom rng = new SplittableRandom(valueSeed);
        double[] theta = new double[(int) a.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = scale * (rng.nextDouble() * 2 - 1);
        }
        a.assign(theta);
        return a;
    }

    /**
     * As {@link #uniform(CausalLM, LoraConfig, long, long, double)} with rank 2, α = 4 on q_proj and v_proj.
     *
     * @param model the base model
     * @param createSeed the seed of {@link LoraAdapter#create}
     * @param valueSeed the seed of the uniform values
     * @param scale the values' half-width
     * @return the adapter
     */
    public static LoraAdapter rank2QV(CausalLM model, long createSeed, long valueSeed, double scale) {
        return uniform(model, LoraConfig.builder().rank(2).alpha(4).targetModules("q_proj", "v_proj").build(),
                createSeed, valueSeed, scale);
    }
}
