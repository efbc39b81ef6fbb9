package ai.bayeslora.core.model;

import ai.bayeslora.core.DType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Parses HF {@code config.json} for llama, mistral and qwen2 with transformers' semantics and defaults
 * (transformers 4.x and 5.x key styles).
 */
public final class HfConfigParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfigParser() {
    }

    /**
     * Parses a config file.
     *
     * @param configJson the {@code config.json} file
     * @return the resolved configuration
     * @throws ConfigException naming the file, if it is missing, unreadable or invalid
     */
    public static ModelConfig parse(Path configJson) {
        String text;
        try {
            text = Files.readString(configJson);
        } catch (NoSuchFileException e) {
            throw new ConfigException(configJson + ": config.json not found");
        } catch (IOException e) {
            throw new ConfigException(configJson + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, configJson.toString());
    }

    /**
     * Parses config JSON text; {@code source} names it in messages.
     *
     * @param json the contents of a {@code config.json}
     * @param source what to call it in messages, for example its path
     * @return the resolved configuration
     * @throws ConfigException naming {@code source} and the field at fault
     */
    public static ModelConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": expected a JSON object");
        }
        return new Reader(root, source).read();
    }

    /** One parse; holds the node and the source name for messages. */
    private static final class Reader {
        private final JsonNode root;
        private final String source;

        Reader(JsonNode root, String source) {
            this.root = root;
            this.source = source;
        }

        ModelConfig read() {
            JsonNode mt = root.get("model_type");
            if (mt == null || !mt.isTextual()) {
                throw new ConfigException(source + ": missing required field 'model_type'; supported model_type values: "
                        + Architecture.supported());
            }
            Architecture arch = Architecture.fromModelType(mt.asText(), source);

            int vocab = requiredInt("vocab_size");
            int hidden = requiredInt("hidden_size");
            int inter = requiredInt("intermediate_size");
            int layers = requiredInt("num_hidden_layers");
            int heads = requiredInt("num_attention_heads");
            // transformers: llama/qwen2 default kv heads = heads; mistral's class default is 8.
            int kvHeads = optInt("num_key_value_heads").orElse(arch == Architecture.MISTRAL ? 8 : heads);
            int headDim = optInt("head_dim").orElse(-1);
            if (headDim <= 0) {
                if (hidden % heads != 0) {
                    throw new ConfigException(source + ": hidden_size " + hidden + " is not divisible by num_attention_heads "
                            + heads + " and head_dim is not given");
                }
                headDim = hidden / heads;
            }
            double eps = optDouble(root, "rms_norm_eps").orElse(1e-6);
            boolean tie = optBool("tie_word_embeddings").orElse(false);

            boolean qkvBias;
            boolean oBias;
            boolean mlpBias;
            switch (arch) {
                case QWEN2:
                    qkvBias = true;
                    oBias = false;
                    mlpBias = false;
                    break;
                case LLAMA:
                    qkvBias = optBool("attention_bias").orElse(false);
                    oBias = qkvBias;
                    mlpBias = optBool("mlp_bias").orElse(false);
                    break;
                default:
                    qkvBias = false;
                    oBias = false;
                    mlpBias = false;
            }
            String act = optText(root, "hidden_act").orElse("silu");
            if (!List.of("silu", "swish", "gelu", "gelu_pytorch_tanh", "gelu_new", "relu").contains(act)) {
                throw new UnsupportedArchitectureException(source + ": unsupported hidden_act '" + act
                        + "'; supported: silu, gelu, gelu_pytorch_tanh, gelu_new, relu");
            }
            int maxPos = optInt("max_position_embeddings").orElse(arch == Architecture.LLAMA ? 2048 : 32768);
            // values that would give NaN, a crash deep in libtorch or an absurd allocation are refused here, by name
            range("vocab_size", vocab, 1, 1 << 24);
            range("hidden_size", hidden, 1, 1 << 17);
            range("intermediate_size", inter, 1, 1 << 19);
            range("num_hidden_layers", layers, 1, 1024);
            range("num_attention_heads", heads, 1, 4096);
            range("num_key_value_heads", kvHeads, 1, heads);
            if (heads % kvHeads != 0) {
                throw new ConfigException(source + ": num_attention_heads " + heads + " is not a multiple of "
                        + "num_key_value_heads " + kvHeads);
            }
            range("head_dim", headDim, 2, 4096);
            range("max_position_embeddings", maxPos, 1, 1 << 24);
            if (!(eps > 0 && eps < 1)) {
                throw new ConfigException(source + ": field 'rms_norm_eps' must be in (0, 1), got " + eps
                        + " (0 or less divides by zero in RMSNorm)");
            }
            double params = (double) vocab * hidden * (tie ? 1 : 2) + (double) layers * (4.0 * hidden * hidden
                    + 3.0 * hidden * inter);
            if (params > 2e12) {
                throw new ConfigException(source + ": the sizes give about " + String.format(java.util.Locale.ROOT,
                        "%.3g", params) + " parameters, beyond any model this library can hold; check "
                        + "hidden_size, intermediate_size, num_hidden_layers and vocab_size");
            }

            return new ModelConfig(arch, vocab, hidden, inter, layers, heads, kvHeads, headDim, eps,
                    rope(maxPos), tie, qkvBias, oBias, mlpBias, act, slidingWindows(arch, layers), maxPos,
                    dtype(), optInt("pad_token_id"), optInt("bos_token_id"), source);
        }

        /** transformers 5: {@code rope_parameters}; older: top-level {@code rope_theta} + {@code rope_scaling}. */
        private RopeConfig rope(int maxPos) {
            JsonNode params = root.get("rope_parameters");
            JsonNode scaling = root.get("rope_scaling");
            if (params != null && params.isObject() && params.has("full_attention") && !params.has("rope_type")) {
                params = params.get("full_attention"); // per-layer-type form
            }
            JsonNode p = params != null && params.isObject() ? params
                    : scaling != null && scaling.isObject() ? scaling : null;
            double theta = optDouble(p, "rope_theta").orElse(optDouble(root, "rope_theta").orElse(10000.0));
            double partial = optDouble(p, "partial_rotary_factor")
                    .orElse(optDouble(root, "partial_rotary_factor").orElse(1.0));
            if (!(partial > 0 && partial <= 1)) {
                throw new ConfigException(source + ": partial_rotary_factor must be in (0, 1], got " + partial);
            }
            if (p == null) {
                return checkedTheta(new RopeConfig(theta, RopeConfig.Type.DEFAULT, 1, 1, 4, maxPos, partial));
            }
            String typeName = optText(p, "rope_type").orElse(optText(p, "type").orElse("default"));
            RopeConfig.Type type = RopeConfig.Type.parse(typeName, source);
            double factor = optDouble(p, "factor").orElse(1.0);
            if (type != RopeConfig.Type.DEFAULT && !p.has("factor")) {
                throw new ConfigException(source + ": rope_type '" + typeName + "' requires 'factor'");
            }
            double low = 1.0;
            double high = 4.0;
            int orig = (int) (double) optDouble(p, "original_max_position_embeddings")
                    .orElse(optDouble(root, "original_max_position_embeddings").orElse((double) maxPos));
            if (type == RopeConfig.Type.LLAMA3) {
                low = requiredDouble(p, "low_freq_factor", "rope_parameters");
                high = requiredDouble(p, "high_freq_factor", "rope_parameters");
                if (!p.has("original_max_position_embeddings")) {
                    throw new ConfigException(source + ": rope_type 'llama3' requires 'original_max_position_embeddings'");
                }
                if (high <= low) {
                    throw new ConfigException(source + ": llama3 rope needs high_freq_factor > low_freq_factor, got "
                            + high + " <= " + low);
                }
            }
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new ConfigException(source + ": rope scaling 'factor' must be positive and finite, got " + factor);
            }
            if (!(low > 0) || !(high > 0) || Double.isInfinite(high)) {
                throw new ConfigException(source + ": llama3 rope needs positive finite low_freq_factor and "
                        + "high_freq_factor, got " + low + " and " + high);
            }
            if (orig < 1) {
                throw new ConfigException(source + ": original_max_position_embeddings must be at least 1, got " + orig);
            }
            return checkedTheta(new RopeConfig(theta, type, factor, low, high, orig, partial));
        }

        private RopeConfig checkedTheta(RopeConfig r) {
            if (!(r.theta() > 0) || Double.isInfinite(r.theta())) {
                throw new ConfigException(source + ": field 'rope_theta' must be positive and finite, got " + r.theta()
                        + " (the rotary frequencies would be NaN)");
            }
            return r;
        }

        private void range(String field, long v, long min, long max) {
            if (v < min || v > max) {
                throw new ConfigException(source + ": field '" + field + "' is " + v + "; expected " + min + " to "
                        + max);
            }
        }

        /**
         * transformers: Mistral slides every layer when {@code sliding_window} is set; Qwen2 uses {@code layer_types}
         * or, without it, slides layers ≥ max_window_layers when use_sliding_window; Llama never slides.
         */
        private List<OptionalInt> slidingWindows(Architecture arch, int layers) {
            OptionalInt window = optInt("sliding_window");
            if (window.isPresent() && window.getAsInt() < 1) {
                throw new ConfigException(source + ": field 'sliding_window' must be at least 1 (or null), got "
                        + window.getAsInt());
            }
            List<OptionalInt> out = new ArrayList<>();
            if (arch == Architecture.LLAMA) {
                for (int i = 0; i < layers; i++) {
                    out.add(OptionalInt.empty());
                }
                return out;
            }
            if (arch == Architecture.QWEN2 && !optBool("use_sliding_window").orElse(false)) {
                window = OptionalInt.empty();
            }
            JsonNode types = root.get("layer_types");
            if (types != null && types.isArray()) {
                if (types.size() != layers) {
                    throw new ConfigException(source + ": layer_types has " + types.size()
                            + " entries but num_hidden_layers is " + layers);
                }
                for (JsonNode t : types) {
                    boolean sliding = "sliding_attention".equals(t.asText());
                    if (sliding && window.isEmpty()) {
                        throw new ConfigException(source + ": layer_types has sliding_attention but sliding_window is null");
                    }
                    out.add(sliding ? window : OptionalInt.empty());
                }
                return out;
            }
            int firstSliding = arch == Architecture.QWEN2 ? optInt("max_window_layers").orElse(28) : 0;
            for (int i = 0; i < layers; i++) {
                out.add(window.isPresent() && i >= firstSliding ? window : OptionalInt.empty());
            }
            return out;
        }

        private Optional<DType> dtype() {
            Optional<String> d = optText(root, "dtype").or(() -> optText(root, "torch_dtype"));
            if (d.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(DType.parse(d.get()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + ": field 'dtype': " + e.getMessage());
            }
        }

        private int requiredInt(String field) {
            OptionalInt v = optInt(field);
            if (v.isEmpty()) {
                throw new ConfigException(source + ": missing required field '" + field + "'");
            }
            if (v.getAsInt() <= 0) {
                throw new ConfigException(source + ": field '" + field + "' must be positive, got " + v.getAsInt());
            }
            return v.getAsInt();
        }

        private OptionalInt optInt(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return OptionalInt.empty();
            }
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new ConfigException(source + ": field '" + field + "' must be an integer, got " + n);
            }
            return OptionalInt.of(n.asInt());
        }

        private Optional<Boolean> optBool(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return Optional.empty();
            }
            if (!n.isBoolean()) {
                throw new ConfigException(source + ": field '" + field + "' must be true or false, got " + n);
            }
            return Optional.of(n.asBoolean());
        }

        private Optional<Double> optDouble(JsonNode node, String field) {
            if (node == null) {
                return Optional.empty();
            }
            JsonNode n = node.get(field);
            if (n == null || n.isNull()) {
                return Optional.empty();
            }
            if (!n.isNumber()) {
                throw new ConfigException(source + ": field '" + field + "' must be a number, got " + n);
            }
            return Optional.of(n.asDouble());
        }

        private double requiredDouble(JsonNode node, String field, String parent) {
            return optDouble(node, field).orElseThrow(() ->
                    new ConfigException(source + ": missing required field '" + parent + "." + field + "'"));
        }

        private Optional<String> optText(JsonNode node, String field) {
            if (node == null) {
                return Optional.empty();
            }
            JsonNode n = node.get(field);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
        }
    }
}
