package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Identifies the base model an ensemble was trained on, so that loading it onto another model fails clearly. The
 * shape fields and {@link #weightsProbe} decide ({@link #differences}); {@link #configSha256} and {@link #path} are
 * informational, because the same weights may be reached by another path or a config.json that differs in an
 * irrelevant field.
 *
 * <p>The weights probe is a SHA-256 over 64 evenly spaced entries of a few weight matrices (embed_tokens, lm_head,
 * the first q_proj and the last down_proj), each rounded to bfloat16 first, so that the same checkpoint loaded in
 * float32, float64 or bfloat16, on any device, gives the same probe, while a fine-tuned variant of the base does not.
 *
 * @param modelType HF model_type
 * @param vocabSize vocab_size
 * @param hiddenSize hidden_size
 * @param intermediateSize intermediate_size
 * @param numLayers num_hidden_layers
 * @param numHeads num_attention_heads
 * @param numKvHeads num_key_value_heads
 * @param headDim head_dim
 * @param tiedHead tie_word_embeddings
 * @param weightsProbe hex SHA-256 of the bf16-rounded weight sample
 * @param path the model's config source (a config.json path, or a label), for messages
 * @param configSha256 hex SHA-256 of config.json's bytes, or null when the model was not built from a file
 */
public record BaseModelFingerprint(String modelType, int vocabSize, int hiddenSize, int intermediateSize,
                                   int numLayers, int numHeads, int numKvHeads, int headDim, boolean tiedHead,
                                   String weightsProbe, String path, String configSha256) {
    private static final int PROBE_VALUES = 64;

    /**
     * Checks that the identifying fields are present.
     *
     * @param modelType HF model_type
     * @param vocabSize vocab_size
     * @param hiddenSize hidden_size
     * @param intermediateSize intermediate_size
     * @param numLayers num_hidden_layers
     * @param numHeads num_attention_heads
     * @param numKvHeads num_key_value_heads
     * @param headDim head_dim
     * @param tiedHead tie_word_embeddings
     * @param weightsProbe hex SHA-256 of the bf16-rounded weight sample
     * @param path the model's config source (a config.json path, or a label), for messages
     * @param configSha256 hex SHA-256 of config.json's bytes, or null when the model was not built from a file
     */
    public BaseModelFingerprint {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(weightsProbe, "weightsProbe");
        Objects.requireNonNull(path, "path");
    }

    /**
     * {@return the fingerprint of a loaded model}
     *
     * @param model a loaded model (the probe reads a few of its weights)
     */
    public static BaseModelFingerprint of(CausalLM model) {
        ModelConfig c = model.config();
        return new BaseModelFingerprint(c.architecture().modelType(), c.vocabSize(), c.hiddenSize(),
                c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.tieWordEmbeddings(),
                probe(model), c.source(), configHash(c.source()));
    }

    /**
     * {@return the fields that show {@code other} is a different base model, as {@code "name: this vs other"} texts;
     * empty if it is the same model}
     *
     * @param other the fingerprint to compare with, for example one stored with an ensemble
     */
    public List<String> differences(BaseModelFingerprint other) {
        List<String> d = new ArrayList<>();
        diff(d, "model_type", modelType, other.modelType);
        diff(d, "vocab_size", vocabSize, other.vocabSize);
        diff(d, "hidden_size", hiddenSize, other.hiddenSize);
        diff(d, "intermediate_size", intermediateSize, other.intermediateSize);
        diff(d, "num_hidden_layers", numLayers, other.numLayers);
        diff(d, "num_attention_heads", numHeads, other.numHeads);
        diff(d, "num_key_value_heads", numKvHeads, other.numKvHeads);
        diff(d, "head_dim", headDim, other.headDim);
        diff(d, "tie_word_embeddings", tiedHead, other.tiedHead);
        if (d.isEmpty()) {
            diff(d, "weights_probe", weightsProbe, other.weightsProbe); // same shapes, other weights
        }
        return d;
    }

    /** {@return the fingerprint as the JSON object manifests and checkpoints store (HF config field names)} */
    public com.fasterxml.jackson.databind.node.ObjectNode toJson() {
        var o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        o.put("path", path);
        o.put("config_sha256", configSha256);
        o.put("model_type", modelType);
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hiddenSize);
        o.put("intermediate_size", intermediateSize);
        o.put("num_hidden_layers", numLayers);
        o.put("num_attention_heads", numHeads);
        o.put("num_key_value_heads", numKvHeads);
        o.put("head_dim", headDim);
        o.put("tie_word_embeddings", tiedHead);
        o.put("weights_probe", weightsProbe);
        return o;
    }

    /**
     * Reads {@link #toJson}'s object.
     *
     * @param node the JSON object
     * @param where the field's place for messages, e.g. "base_model"
     * @param error makes the exception for a message (the caller's format exception, naming its file)
     * @return the fingerprint
     */
    public static BaseModelFingerprint fromJson(com.fasterxml.jackson.databind.JsonNode node, String where,
                                                java.util.function.Function<String, RuntimeException> error) {
        if (node == null || !node.isObject()) {
            throw error.apply("field '" + where + "' must be an object");
        }
        var tied = node.get("tie_word_embeddings");
        if (tied == null || !tied.isBoolean()) {
            throw error.apply("field '" + where + ".tie_word_embeddings' must be true or false");
        }
        var hash = node.get("config_sha256");
        return new BaseModelFingerprint(text(node, where, "model_type", error), integer(node, where, "vocab_size", error),
                integer(node, where, "hidden_size", error), integer(node, where, "intermediate_size", error),
                integer(node, where, "num_hidden_layers", error), integer(node, where, "num_attention_heads", error),
                integer(node, where, "num_key_value_heads", error), integer(node, where, "head_dim", error),
                tied.asBoolean(), text(node, where, "weights_probe", error), text(node, where, "path", error),
                hash == null || hash.isNull() ? null : hash.asText());
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode n, String where, String field,
                               java.util.function.Function<String, RuntimeException> error) {
        var v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw error.apply((v == null ? "missing field '" : "field '") + where + "." + field + "'"
                    + (v == null ? "" : " must be a string, got " + v));
        }
        return v.asText();
    }

    private static int integer(com.fasterxml.jackson.databind.JsonNode n, String where, String field,
                               java.util.function.Function<String, RuntimeException> error) {
        var v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error.apply((v == null ? "missing field '" : "field '") + where + "." + field + "'"
                    + (v == null ? "" : " must be an integer, got " + v));
        }
        return v.asInt();
    }

    private static void diff(List<String> out, String name, Object a, Object b) {
        if (!a.equals(b)) {
            out.add(name + ": " + a + " vs " + b);
        }
    }

    private static String probe(CausalLM model) {
        List<Tensor> sampled = new ArrayList<>();
        sampled.add(model.embedTokens());
        if (!model.config().tieWordEmbeddings()) {
            sampled.add(model.lmHead().weight());
        }
        int last = model.numLayers() - 1;
        for (String name : List.of("model.layers.0.self_attn.q_proj", "model.layers." + last + ".mlp.down_proj")) {
            LinearLayer l = model.linearLayers().get(name);
            if (l != null) {
                sampled.add(l.weight());
            }
        }
        MessageDigest sha = sha256();
        NativeScope.runNoGrad(() -> {
            for (Tensor w : sampled) {
                long n = w.numel();
                long step = Math.max(1, n / PROBE_VALUES);
                Tensor idx = torch.arange(new Scalar(0), new Scalar(Math.min(n, step * PROBE_VALUES)), new Scalar(step),
                        new TensorOptions(ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(w.device())));
                Tensor v = w.reshape(-1).index_select(0, idx).to(ScalarType.BFloat16);
                float[] values = Tensors.toFloats(v);
                ByteBuffer buf = ByteBuffer.allocate(4 * values.length + 8);
                buf.putLong(n);
                for (float f : values) {
                    buf.putInt(Float.floatToIntBits(f));
                }
                sha.update(buf.array());
            }
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String configHash(String source) {
        try {
            Path p = Path.of(source);
            if (!Files.isRegularFile(p)) {
                return null;
            }
            return HexFormat.of().formatHex(sha256().digest(Files.readAllBytes(p)));
        } catch (InvalidPathException | IOException e) {
            return null;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new BayesLoraException("SHA-256 unavailable in this JVM", e);
        }
    }
}
