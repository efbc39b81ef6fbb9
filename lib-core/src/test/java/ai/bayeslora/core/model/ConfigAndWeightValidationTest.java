package ai.bayeslora.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * config.json values that would give NaN or an absurd allocation, and checkpoint tensors that cannot be weights, are
 * refused by name before anything runs (issue 11, "NaN is printed as a prediction").
 */
class ConfigAndWeightValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private static String edited(Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(Fixtures.model("tiny-llama").resolve("config.json").toFile());
        edit.accept(c);
        return JSON.writeValueAsString(c);
    }

    private static void assertRefused(Consumer<ObjectNode> edit, String... phrases) throws Exception {
        String json = edited(edit);
        assertThatThrownBy(() -> HfConfigParser.parse(json, "cfg.json")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cfg.json").hasMessageContainingAll(phrases);
    }

    @Test
    void theFixtureConfigParses() throws Exception {
        assertThat(HfConfigParser.parse(edited(c -> { }), "cfg.json").numLayers()).isEqualTo(2);
    }

    @Test
    void valuesThatGiveNaNAreRefusedByName() throws Exception {
        assertRefused(c -> c.put("rms_norm_eps", 0.0), "rms_norm_eps", "(0, 1)");
        assertRefused(c -> c.put("rms_norm_eps", -1e-5), "rms_norm_eps");
        assertRefused(c -> ((ObjectNode) c.get("rope_parameters")).put("rope_theta", 0.0), "rope_theta", "positive");
        assertRefused(c -> ((ObjectNode) c.get("rope_parameters")).put("rope_type", "linear").put("factor", -2.0),
                "factor", "positive");
        assertRefused(c -> c.put("sliding_window", -4), "sliding_window");
        assertRefused(c -> c.put("max_position_embeddings", -1), "max_position_embeddings");
        assertRefused(c -> c.put("num_key_value_heads", 3), "num_key_value_heads");
    }

    @Test
    void absurdSizesAreRefusedBeforeAllocating() throws Exception {
        assertRefused(c -> c.put("num_hidden_layers", 1_000_000_000), "num_hidden_layers", "1024");
        assertRefused(c -> c.put("vocab_size", 1_000_000_000), "vocab_size");
        assertRefused(c -> c.put("hidden_size", 100_000).put("intermediate_size", 500_000).put("num_hidden_layers", 900)
                .put("num_attention_heads", 1000).put("num_key_value_heads", 1000)
                .put("head_dim", 100), "parameters");
    }

    /** A copy of the tiny model whose checkpoint has {@code edit} applied to one tensor. */
    @SuppressWarnings("try")
    private Path modelWith(String tensor, java.util.function.Function<Tensor, Tensor> edit) throws Exception {
        Path src = Fixtures.model("tiny-llama");
        Path dir = Files.createDirectories(tmp.resolve("m" + System.nanoTime()));
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        try (PointerScope s = new PointerScope(); SafetensorsFile in = SafetensorsFile.open(src.resolve(
                "model.safetensors"))) {
            Map<String, Tensor> all = new TreeMap<>();
            for (String n : in.names()) {
                Tensor t = in.tensor(n).clone();
                all.put(n, n.equals(tensor) ? edit.apply(t) : t);
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), all, Map.of("format", "pt"));
        }
        return dir;
    }

    @Test
    void nonFiniteOrIntegerWeightsAreRefusedNamingFileAndTensor() throws Exception {
        String name = "model.layers.1.mlp.down_proj.weight";
        Path nan = modelWith(name, t -> {
            t.view(-1).narrow(0, 7, 1).fill_(new Scalar(Double.NaN));
            return t;
        });
        assertThatThrownBy(() -> CausalLM.load(nan, TestDevices.device()).close())
                .isInstanceOf(WeightValueException.class).hasMessageContaining(nan.toString())
                .hasMessageContainingAll("'" + name + "'", "NaN");
        Path ints = modelWith(name, t -> t.mul(new Scalar(100)).to(ScalarType.Int));
        assertThatThrownBy(() -> CausalLM.load(ints, TestDevices.device()).close())
                .isInstanceOf(WeightValueException.class).hasMessageContainingAll("'" + name + "'", "I32",
                        "floating-point");
    }
}
