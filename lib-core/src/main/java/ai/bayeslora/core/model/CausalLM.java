package ai.bayeslora.core.model;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decoder-only causal language model (Llama, Mistral, Qwen2) with frozen weights in libtorch, built from an HF
 * checkpoint folder. The forward matches transformers' eager implementation: embedding, pre-norm decoder blocks
 * (RMSNorm, RoPE, grouped-query attention, gated MLP), final RMSNorm, lm_head (tied or not).
 *
 * <p>Linear layers are addressable by their HF names ({@link #linear(String)}, {@link #linearLayers()}), so adapters
 * can target them by suffix. {@link #lastTokenLogits(ModelInput, Tensor, AdapterBinding)} reads the logits of the last
 * real token only, optionally only at chosen vocabulary ids, without building [B, L, V].
 *
 * <p>Immutable after loading and safe to share between threads: a forward takes the adapters to apply as an
 * {@link AdapterBinding} argument, and nothing in the model changes during or between calls. The one way to change
 * base weights is to build a merged copy ({@link #withMergedDeltas}), a separate model.
 *
 * <p>Memory: the weights live outside any scope and are released by {@link #close()}. Tensors returned by forward
 * methods belong to the caller's scope: run each batch in {@code try (NativeScope s = NativeScope.open())} (or a
 * JavaCPP {@code PointerScope}).
 */
public final class CausalLM implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CausalLM.class);

    private final ModelConfig config;
    private final ComputeDevice device;
    private final Tensor embedTokens;
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final LinearLayer lmHead;
    private final RotaryEmbedding rope;
    private final Map<String, LinearLayer> linears;
    private final List<Tensor> owned;
    private final String sourceDescription;
    private boolean closed;

    private CausalLM(ModelConfig config, ComputeDevice device, Tensor embedTokens, List<DecoderLayer> layers,
                     RmsNorm finalNorm, LinearLayer lmHead, Map<String, LinearLayer> linears, List<Tensor> owned) {
        this.config = config;
        this.device = device;
        this.embedTokens = embedTokens;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.linears = Collections.unmodifiableMap(linears);
        this.owned = owned;
        this.rope = new RotaryEmbedding(config.rope(), config.rotaryDim());
        this.sourceDescription = config.source();
    }

    /**
     * Loads {@code config.json} and the safetensors weights (single file or sharded) of an HF model folder, converting
     * them to the device's compute dtype.
     *
     * @param modelDir an HF model folder with {@code config.json} and safetensors weights
     * @param device where the weights go and which dtype computes
     * @return the loaded model; close it to free the weights
     */
    public static CausalLM load(Path modelDir, ComputeDevice device) {
        ModelConfig config = ModelConfig.load(modelDir);
        try (WeightSource weights = CheckpointWeights.open(modelDir)) {
            return build(config, weights, device);
        }
    }

    /**
     * Builds a model from a parsed config and a weight source, validating every tensor's shape.
     *
     * @param config the parsed configuration
     * @param weights where the tensors come from; read once, may be closed afterwards
     * @param device where the weights go and which dtype computes
     * @return the built model; close it to free the weights
     */
    public static CausalLM build(ModelConfig config, WeightSource weights, ComputeDevice device) {
        ai.bayeslora.core.NativeRuntime.configure();
        return new Builder(config, weights, device).build();
    }

    /** {@return the model's resolved configuration} */
    public ModelConfig config() {
        return config;
    }

    /** {@return the device the weights live on, with its compute dtype} */
    public ComputeDevice device() {
        return device;
    }

    /** {@return the number of decoder layers} */
    public int numLayers() {
        return layers.size();
    }

    /** {@return all linear layers keyed by HF module name, in model order; lm_head last} */
    public Map<String, LinearLayer> linearLayers() {
        return linears;
    }

    /**
     * {@return the linear layer with this HF module name}
     *
     * @param name an HF module name, for example {@code model.layers.0.self_attn.q_proj} or {@code lm_head}
     * @throws IllegalArgumentException if the model has no such layer
     */
    public LinearLayer linear(String name) {
        LinearLayer l = linears.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no linear layer named '" + name + "'; e.g. " + linears.keySet().stream()
                    .limit(3).toList() + " … lm_head");
        }
        return l;
    }

    /** {@return the output head (tied to the embedding when the config says so)} */
    public LinearLayer lmHead() {
        return lmHead;
    }

    /** {@return the embedding table [V, H]; shared with lm_head when tied} */
    public Tensor embedTokens() {
        return embedTokens;
    }

    /**
     * Full logits of the base model (no adapter): {@code forward(input, AdapterBinding.none())}.
     *
     * @param input token ids, attention mask and positions
     * @return [B, L, V]
     */
    public Tensor forward(ModelInput input) {
        return forward(input, AdapterBinding.none());
    }

    /**
     * Last-token logits of the base model (no adapter): {@code lastTokenLogits(input, vocabIds, AdapterBinding.none())}.
     *
     * @param input token ids, attention mask and positions
     * @param vocabIds int64 [C] to read only those vocabulary entries, or null for all
     * @return [B, C] or [B, V]
     */
    public Tensor lastTokenLogits(ModelInput input, Tensor vocabIds) {
        return lastTokenLogits(input, vocabIds, AdapterBinding.none());
    }

    /**
     * Full logits [B, L, V] in the compute dtype. Used by the parity tool; inference uses {@link #lastTokenLogits}.
     *
     * @param input token ids, attention mask and positions
     * @param binding the adapters of this call ({@link AdapterBinding#none()} for the base model)
     * @return [B, L, V]
     */
    public Tensor forward(ModelInput input, AdapterBinding binding) {
        check(binding);
        ForwardContext ctx = prepare(input);
        Tensor h = runLayers(embed(input.inputIds()), ctx, 0, layers.size(), binding);
        return lmHead.forward(finalNorm.forward(h), binding);
    }

    /**
     * Logits of each row's last real token.
     *
     * @param input token ids, attention mask and positions
     * @param vocabIds int64 [C] to read only those vocabulary entries, or null for all
     * @param binding the adapters of this call
     * @return [B, C] or [B, V]
     */
    public Tensor lastTokenLogits(ModelInput input, Tensor vocabIds, AdapterBinding binding) {
        return headAtLastToken(lastTokenHidden(input, binding), vocabIds, binding);
    }

    /**
     * Final-normed hidden state of each row's last real token.
     *
     * @param input token ids, attention mask and positions
     * @param binding the adapters of this call
     * @return [B, H]
     */
    public Tensor lastTokenHidden(ModelInput input, AdapterBinding binding) {
        check(binding);
        ForwardContext ctx = prepare(input);
        Tensor h = runLayers(embed(input.inputIds()), ctx, 0, layers.size(), binding);
        return finalNorm.forward(gatherLast(h, ctx.lastIndex()));
    }

    /**
     * lm_head on hidden states.
     *
     * @param hidden [B, H]
     * @param vocabIds int64 [C] to read only those vocabulary entries, or null for all
     * @param binding the adapters of this call (only lm_head's is used)
     * @return [B, C] or [B, V]
     */
    public Tensor headAtLastToken(Tensor hidden, Tensor vocabIds, AdapterBinding binding) {
        return vocabIds == null ? lmHead.forward(hidden, binding) : lmHead.forwardRows(hidden,
                vocabIds.to(device.torchDevice(), ScalarType.Long), binding);
    }

    /** Rejects a binding made for another model: every bound module must exist here. */
    private void check(AdapterBinding binding) {
        for (String name : binding.modules()) {
            if (!linears.containsKey(name)) {
                throw new IllegalArgumentException("the adapter binding names module '" + name + "', which this "
                        + config.architecture().modelType() + " model (" + sourceDescription + ") does not have; "
                        + "is the adapter for another model?");
            }
        }
    }

    /**
     * Token embeddings [B, L, H].
     *
     * @param inputIds token ids [B, L], any integer dtype, on any device
     * @return [B, L, H] in the compute dtype, on the model's device
     */
    public Tensor embed(Tensor inputIds) {
        return torch.embedding(embedTokens, inputIds.to(device.torchDevice(), ScalarType.Long));
    }

    /**
     * Masks, RoPE tables and last-token indices for a batch; reuse it across {@link #runLayers} calls.
     *
     * @param input token ids, attention mask and positions
     * @return the per-batch state for {@link #runLayers}
     * @throws IllegalArgumentException if a row of the attention mask has no real token
     */
    public ForwardContext prepare(ModelInput input) {
        Device dev = device.torchDevice();
        Tensor mask = input.attentionMask().to(dev, ScalarType.Long);
        Tensor pos = input.positionIds().to(dev, ScalarType.Long);
        boolean padded = mask.min().item_long() == 0;
        if (mask.sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional()).min().item_long() == 0) {
            throw new IllegalArgumentException("a row of attention_mask has no real token");
        }
        ScalarType dt = device.dtype().scalarType();
        Tensor[] cs = rope.cosSin(pos, dt);
        Map<OptionalInt, Tensor> masks = new LinkedHashMap<>();
        for (OptionalInt w : new HashSet<>(config.slidingWindows())) {
            masks.put(w, AttentionMasks.build(mask, padded, w, dt));
        }
        // index of each row's last real token: argmax of mask·(1..L)
        Tensor idx = torch.arange(new Scalar(1), new Scalar(mask.size(1) + 1),
                new TensorOptions(ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(dev)));
        Tensor last = mask.mul(idx).argmax(new org.bytedeco.pytorch.LongOptional(1), false);
        return new ForwardContext(cs[0], cs[1], masks, last);
    }

    /**
     * Runs decoder layers {@code [from, to)} on hidden states.
     *
     * @param h [B, L, H]
     * @param ctx the batch's masks and RoPE tables ({@link #prepare})
     * @param from first layer
     * @param to one past the last layer
     * @param binding the adapters of this call
     * @return [B, L, H]
     */
    public Tensor runLayers(Tensor h, ForwardContext ctx, int from, int to, AdapterBinding binding) {
        check(binding);
        if (from < 0 || to > layers.size() || from > to) {
            throw new IllegalArgumentException("layer range [" + from + ", " + to + ") outside [0, " + layers.size() + ")");
        }
        PointerScope outer = PointerScope.getInnerScope();
        for (int i = from; i < to; i++) {
            Tensor mask = ctx.masks().get(config.slidingWindows().get(i));
            if (outer == null) {
                h = layers.get(i).forward(h, ctx.cos(), ctx.sin(), mask, rope, binding);
                continue;
            }
            // A scope per layer frees the layer's temporaries at once instead of at the caller's scope end (peak
            // memory ~ one layer's activations); the output goes to the caller's scope. Autograd holds its own
            // references to saved tensors, so this is safe with gradients too.
            try (NativeScope layerScope = NativeScope.open()) {
                h = layerScope.ret(layers.get(i).forward(h, ctx.cos(), ctx.sin(), mask, rope, binding));
            }
        }
        return h;
    }

    /**
     * Applies the final RMSNorm.
     *
     * @param h [B, L, H]
     * @return the normalised states, [B, L, H]
     */
    public Tensor finalNorm(Tensor h) {
        return finalNorm.forward(h);
    }

    /**
     * Rows {@code h[b, last[b]]} of [B, L, H] → [B, H].
     *
     * @param h [B, L, H]
     * @param last [B] int64 index of each row's last real token ({@link ForwardContext#lastIndex()})
     * @return [B, H]
     */
    public static Tensor gatherLast(Tensor h, Tensor last) {
        Tensor index = last.view(-1, 1, 1).expand(h.size(0), 1, h.size(2));
        return h.gather(1, index).squeeze(1);
    }

    /** Per-batch state shared by all layers of one forward. */
    public record ForwardContext(Tensor cos, Tensor sin, Map<OptionalInt, Tensor> masks, Tensor lastIndex) {
    }

    /**
     * A separate model whose linear weights are {@code W + Δ} for the given modules (merged LoRA updates,
     * {@code W ← W + s·B·A}), sharing every other tensor with this one. This model is not changed, so other callers
     * sharing it are unaffected. The copy holds its own references to the shared tensors: the two can be closed in
     * any order.
     *
     * @param deltas module name → Δ [out, in], added in the compute dtype
     * @return the merged model; close it to release its weights
     * @throws IllegalArgumentException for an unknown module or a Δ of the wrong shape, or for lm_head when it is tied
     *     to the input embedding (the embedding would change too)
     */
    public CausalLM withMergedDeltas(Map<String, Tensor> deltas) {
        for (Map.Entry<String, Tensor> e : deltas.entrySet()) {
            LinearLayer l = linear(e.getKey());
            if (l.weight().size(0) != e.getValue().size(0) || l.weight().size(1) != e.getValue().size(1)) {
                throw new IllegalArgumentException(e.getKey() + ": delta of shape "
                        + Tensors.shapeText(Tensors.shape(e.getValue())) + " for a weight of shape "
                        + Tensors.shapeText(Tensors.shape(l.weight())));
            }
            if (e.getKey().equals("lm_head") && config.tieWordEmbeddings()) {
                throw new IllegalArgumentException("lm_head is tied to embed_tokens: merging would change the input "
                        + "embedding too; apply the adapter through a binding instead");
            }
        }
        List<Tensor> ownedCopy = new ArrayList<>();
        Map<LinearLayer, LinearLayer> replaced = new LinkedHashMap<>();
        try (NativeScope s = NativeScope.open();
             org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : deltas.entrySet()) {
                LinearLayer l = linear(e.getKey());
                // W + Δ in float32 (float64), rounded once to the compute dtype: in bf16, adding a bf16-rounded Δ
                // would round twice
                ScalarType acc = device.dtype().accumulation().scalarType();
                Tensor w = NativeScope.keep(l.weight().to(acc).add(e.getValue().to(l.weight().device(), acc))
                        .to(l.weight().scalar_type()));
                ownedCopy.add(w);
                replaced.put(l, l.withWeight(w));
            }
        }
        java.util.function.UnaryOperator<LinearLayer> f = l -> replaced.getOrDefault(l, l);
        for (Tensor t : owned) {
            if (replaced.keySet().stream().noneMatch(l -> l.weight() == t)) {
                ownedCopy.add(NativeScope.keep(t)); // shared with this model: the copy keeps it alive too
            }
        }
        List<DecoderLayer> newLayers = new ArrayList<>();
        for (DecoderLayer d : layers) {
            newLayers.add(d.withLinears(f));
        }
        Map<String, LinearLayer> newLinears = new LinkedHashMap<>();
        linears.forEach((name, l) -> newLinears.put(name, f.apply(l)));
        return new CausalLM(config, device, embedTokens, newLayers, finalNorm, f.apply(lmHead), newLinears, ownedCopy);
    }

    /** Releases the weights. The model must not be used afterwards. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        NativeScope.release(owned);
    }

    /** Loads, checks and assembles the weights. */
    private static final class Builder {
        private final ModelConfig c;
        private final WeightSource w;
        private final ComputeDevice device;
        private final List<Tensor> owned = new ArrayList<>();
        private final Set<String> used = new HashSet<>();

        Builder(ModelConfig c, WeightSource w, ComputeDevice device) {
            this.c = c;
            this.w = w;
            this.device = device;
        }

        CausalLM build() {
            long h = c.hiddenSize();
            long qDim = (long) c.numHeads() * c.headDim();
            long kvDim = (long) c.numKvHeads() * c.headDim();
            Tensor embed = tensor("model.embed_tokens.weight", c.vocabSize(), h);
            Map<String, LinearLayer> linears = new LinkedHashMap<>();
            List<DecoderLayer> layers = new ArrayList<>();
            for (int i = 0; i < c.numLayers(); i++) {
                String p = "model.layers." + i + ".";
                LinearLayer q = linear(linears, p + "self_attn.q_proj", qDim, h, c.qkvBias());
                LinearLayer k = linear(linears, p + "self_attn.k_proj", kvDim, h, c.qkvBias());
                LinearLayer v = linear(linears, p + "self_attn.v_proj", kvDim, h, c.qkvBias());
                LinearLayer o = linear(linears, p + "self_attn.o_proj", h, qDim, c.outputBias());
                LinearLayer gate = linear(linears, p + "mlp.gate_proj", c.intermediateSize(), h, c.mlpBias());
                LinearLayer up = linear(linears, p + "mlp.up_proj", c.intermediateSize(), h, c.mlpBias());
                LinearLayer down = linear(linears, p + "mlp.down_proj", h, c.intermediateSize(), c.mlpBias());
                RmsNorm in = new RmsNorm(tensor(p + "input_layernorm.weight", h), c.rmsNormEps());
                RmsNorm post = new RmsNorm(tensor(p + "post_attention_layernorm.weight", h), c.rmsNormEps());
                layers.add(new DecoderLayer(i, in, new Attention(q, k, v, o, c.numHeads(), c.numKvHeads(), c.headDim()),
                        post, new Mlp(gate, up, down, c.hiddenAct())));
            }
            RmsNorm norm = new RmsNorm(tensor("model.norm.weight", h), c.rmsNormEps());
            LinearLayer head;
            if (c.tieWordEmbeddings()) {
                head = new LinearLayer("lm_head", embed, null);
                used.add("lm_head.weight"); // transformers ignores a stored copy when tied
            } else {
                if (!w.names().contains("lm_head.weight")) {
                    throw new WeightShapeException(w.describe() + ": missing tensor 'lm_head.weight' (config.json has"
                            + " tie_word_embeddings=false)");
                }
                head = new LinearLayer("lm_head", tensor("lm_head.weight", c.vocabSize(), h), null);
            }
            linears.put("lm_head", head);
            Set<String> unused = new TreeSet<>(w.names());
            unused.removeAll(used);
            unused.removeIf(n -> n.endsWith("rotary_emb.inv_freq"));
            if (!unused.isEmpty()) {
                LOG.warn("{}: {} tensor(s) not used by {}: {}", w.describe(), unused.size(),
                        c.architecture().modelType(), unused.stream().limit(5).toList());
            }
            LOG.info("Loaded {} ({} layers, hidden {}, {} params) from {} on {}", c.architecture().modelType(),
                    c.numLayers(), c.hiddenSize(), String.format("%,d", c.parameterCount()), w.describe(), device);
            return new CausalLM(c, device, embed, layers, norm, head, linears, owned);
        }

        private LinearLayer linear(Map<String, LinearLayer> into, String name, long out, long in, boolean bias) {
            Tensor weight = tensor(name + ".weight", out, in);
            Tensor b = bias ? tensor(name + ".bias", out) : null;
            LinearLayer l = new LinearLayer(name, weight, b);
            into.put(name, l);
            return l;
        }

        private Tensor tensor(String name, long... expected) {
            if (!w.names().contains(name)) {
                throw new WeightShapeException(w.describe() + ": missing tensor '" + name + "' required by "
                        + c.architecture().modelType() + " config " + c.source());
            }
            long[] actual = w.shape(name);
            if (!Arrays.equals(actual, expected)) {
                throw new WeightShapeException(w.describe() + ": tensor '" + name + "' has shape "
                        + Tensors.shapeText(actual) + " but config.json (" + c.source() + ") implies "
                        + Tensors.shapeText(expected));
            }
            Tensor t;
            try (NativeScope scope = NativeScope.open()) {
                // outlives this scope and any caller scope; released by close()
                t = NativeScope.keep(w.load(name, device.dtype().scalarType(), device.torchDevice()));
            }
            owned.add(t);
            used.add(name);
            return t;
        }
    }
}
