package ai.bayeslora.core.model;

import ai.bayeslora.core.DType;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The semantics of an HF config.json for a supported decoder-only model, resolved: derived fields (head_dim,
 * per-layer sliding windows, biases) are filled in according to the architecture's transformers defaults.
 * Parse one with {@link HfConfigParser}.
 *
 * @param architecture llama, mistral or qwen2
 * @param vocabSize rows of the embedding and the head
 * @param hiddenSize model width
 * @param intermediateSize MLP width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (GQA when fewer than numHeads, MQA when 1)
 * @param headDim per-head width; given by {@code head_dim} or hiddenSize / numHeads
 * @param rmsNormEps RMSNorm ε
 * @param rope rotary embedding parameters
 * @param tieWordEmbeddings whether lm_head reuses embed_tokens.weight
 * @param qkvBias whether q/k/v projections have biases (Qwen2 always; Llama via {@code attention_bias})
 * @param outputBias whether o_proj has a bias (Llama {@code attention_bias})
 * @param mlpBias whether gate/up/down projections have biases (Llama {@code mlp_bias})
 * @param hiddenAct MLP activation name (silu, gelu, gelu_pytorch_tanh, relu)
 * @param slidingWindows per layer, the sliding attention window or empty for full causal attention
 * @param maxPositionEmbeddings the context length the model was trained for
 * @param torchDtype the stored dtype declared by {@code torch_dtype} or {@code dtype}, if any
 * @param padTokenId pad token id declared in the config, if any
 * @param bosTokenId BOS token id declared in the config, if any
 * @param source where this config came from, for messages
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        double rmsNormEps,
        RopeConfig rope,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        String hiddenAct,
        List<OptionalInt> slidingWindows,
        int maxPositionEmbeddings,
        Optional<DType> torchDtype,
        OptionalInt padTokenId,
        OptionalInt bosTokenId,
        String source) {

    /**
     * Checks that there is one sliding-window entry per layer and that the key/value heads divide the query heads.
     *
     * @param architecture llama, mistral or qwen2
     * @param vocabSize rows of the embedding and the head
     * @param hiddenSize model width
     * @param intermediateSize MLP width
     * @param numLayers decoder layers
     * @param numHeads query heads
     * @param numKvHeads key/value heads (GQA when fewer than numHeads, MQA when 1)
     * @param headDim per-head width; given by {@code head_dim} or hiddenSize / numHeads
     * @param rmsNormEps RMSNorm ε
     * @param rope rotary embedding parameters
     * @param tieWordEmbeddings whether lm_head reuses embed_tokens.weight
     * @param qkvBias whether q/k/v projections have biases (Qwen2 always; Llama via {@code attention_bias})
     * @param outputBias whether o_proj has a bias (Llama {@code attention_bias})
     * @param mlpBias whether gate/up/down projections have biases (Llama {@code mlp_bias})
     * @param hiddenAct MLP activation name (silu, gelu, gelu_pytorch_tanh, relu)
     * @param slidingWindows per layer, the sliding attention window or empty for full causal attention
     * @param maxPositionEmbeddings the context length the model was trained for
     * @param torchDtype the stored dtype declared by {@code torch_dtype} or {@code dtype}, if any
     * @param padTokenId pad token id declared in the config, if any
     * @param bosTokenId BOS token id declared in the config, if any
     * @param source where this config came from, for messages
     */
    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(rope, "rope");
        slidingWindows = List.copyOf(slidingWindows);
        if (slidingWindows.size() != numLayers) {
            throw new ConfigException(source + ": layer_types has " + slidingWindows.size()
                    + " entries but num_hidden_layers is " + numLayers);
        }
        if (numKvHeads <= 0 || numHeads % numKvHeads != 0) {
            throw new ConfigException(source + ": num_attention_heads (" + numHeads
                    + ") must be a positive multiple of num_key_value_heads (" + numKvHeads + ")");
        }
    }

    /**
     * Loads {@code config.json} from a model folder.
     *
     * @param modelDir an HF model folder
     * @return the resolved configuration
     */
    public static ModelConfig load(Path modelDir) {
        return HfConfigParser.parse(modelDir.resolve("config.json"));
    }

    /**
     * Query heads per key/value head.
     *
     * @return numHeads / numKvHeads
     */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /**
     * Rotated dimensions per head: headDim × partial_rotary_factor, rounded down to even.
     *
     * @return the number of rotated dimensions
     */
    public int rotaryDim() {
        int d = (int) (headDim * rope.partialRotaryFactor());
        return d - (d % 2);
    }

    /** {@return the total parameters of the base model (embedding counted once when tied)} */
    public long parameterCount() {
        long h = hiddenSize;
        long attn = h * numHeads * headDim + 2L * h * numKvHeads * headDim + (long) numHeads * headDim * h;
        if (qkvBias) {
            attn += (long) numHeads * headDim + 2L * numKvHeads * headDim;
        }
        if (outputBias) {
            attn += h;
        }
        long mlp = 3L * h * intermediateSize + (mlpBias ? 2L * intermediateSize + h : 0);
        long layer = attn + mlp + 2 * h;
        long emb = (long) vocabSize * h;
        return numLayers * layer + emb + (tieWordEmbeddings ? 0 : emb) + h;
    }
}
