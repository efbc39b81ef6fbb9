package ai.bayeslora.core.model;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Randomly initialised weights for a config (N(0, σ²) matrices, unit norms): for benchmarks and tests on model shapes
 * no fixture covers. Generated lazily, in load order, from a private CPU generator seeded at construction: libtorch's
 * global generator is neither read nor reseeded (docs/DEVELOPING.md, "Random numbers without global state"), and the
 * values are those {@code torch.manual_seed(seed)} followed by the same loads would give.
 */
public final class RandomWeights implements WeightSource {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final double std;
    private final Generator generator;
    private boolean closed;

    /**
     * @param config the model whose tensors to provide
     * @param std standard deviation of matrix entries (HF's initializer_range, typically 0.02)
     * @param seed seed of this source's own generator
     */
    public RandomWeights(ModelConfig config, double std, long seed) {
        this.std = std;
        this.generator = NativeScope.keep(torch.createCPUGenerator(seed));
        long h = config.hiddenSize();
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKvHeads() * config.headDim();
        long inter = config.intermediateSize();
        shapes.put("model.embed_tokens.weight", new long[] {config.vocabSize(), h});
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            linear(p + "self_attn.q_proj", q, h, config.qkvBias());
            linear(p + "self_attn.k_proj", kv, h, config.qkvBias());
            linear(p + "self_attn.v_proj", kv, h, config.qkvBias());
            linear(p + "self_attn.o_proj", h, q, config.outputBias());
            linear(p + "mlp.gate_proj", inter, h, config.mlpBias());
            linear(p + "mlp.up_proj", inter, h, config.mlpBias());
            linear(p + "mlp.down_proj", h, inter, config.mlpBias());
            shapes.put(p + "input_layernorm.weight", new long[] {h});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
        }
        shapes.put("model.norm.weight", new long[] {h});
        if (!config.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new long[] {config.vocabSize(), h});
        }
    }

    private void linear(String name, long out, long in, boolean bias) {
        shapes.put(name + ".weight", new long[] {out, in});
        if (bias) {
            shapes.put(name + ".bias", new long[] {out});
        }
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public long[] shape(String name) {
        return shapes.get(name).clone();
    }

    @Override
    public synchronized Tensor load(String name, ScalarType dtype, Device device) {
        if (closed) {
            throw new IllegalStateException("random weights closed");
        }
        long[] s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no random tensor named " + name);
        }
        TensorOptions opts = new TensorOptions(ScalarType.Float);
        Tensor t = name.endsWith("norm.weight") ? torch.ones(s, opts)
                : torch.randn(s, new GeneratorOptional(generator), opts).mul(new Scalar(std));
        return t.to(device, dtype);
    }

    @Override
    public String describe() {
        return "random weights (" + shapes.size() + " tensors, std " + std + ")";
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            NativeScope.release(generator);
        }
    }

    /** Shape text for messages. */
    @Override
    public String toString() {
        return describe() + " " + Tensors.shapeText(shapes.get("model.embed_tokens.weight"));
    }
}
