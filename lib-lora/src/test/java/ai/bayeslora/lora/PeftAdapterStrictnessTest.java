package ai.bayeslora.lora;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.model.CausalLM;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every adapter_config.json field and tensor kind peft uses is honoured or refused by name, never ignored (issue 11,
 * "The peft loader applies tensors by key name and ignores the config"). The untouched fixture loads (PeftParityTest
 * checks its numbers against peft).
 */
class PeftAdapterStrictnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURE = Fixtures.path("lora/tiny-llama-lora-r4");
    @TempDir
    static Path tmp;
    private static CausalLM model;
    private static int copies;

    @BeforeAll
    static void load() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Path copy() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ad" + copies++));
        try (var s = Files.list(FIXTURE)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    private static Path config(Consumer<ObjectNode> edit) throws Exception {
        Path dir = copy();
        Path f = dir.resolve("adapter_config.json");
        ObjectNode c = (ObjectNode) JSON.readTree(f.toFile());
        edit.accept(c);
        Files.writeString(f, JSON.writeValueAsString(c));
        return dir;
    }

    @SuppressWarnings("try")
    private static Path tensors(Consumer<Map<String, Tensor>> edit) throws Exception {
        Path dir = copy();
        Path f = dir.resolve("adapter_model.safetensors");
        try (PointerScope s = new PointerScope()) {
            Map<String, Tensor> all = new TreeMap<>();
            try (SafetensorsFile in = SafetensorsFile.open(f)) {
                for (String n : in.names()) {
                    all.put(n, in.tensor(n).clone());
                }
            }
            edit.accept(all);
            SafetensorsWriter.write(f, all, Map.of("format", "pt"));
        }
        return dir;
    }

    private static void assertRefused(Path dir, String... phrases) {
        assertThatThrownBy(() -> LoraAdapter.load(dir, model).close()).isInstanceOf(AdapterFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContainingAll(phrases);
    }

    @Test
    void theUntouchedFixtureLoads() throws Exception {
        LoraAdapter.load(copy(), model).close();
    }

    @Test
    void numericFieldsMustBeNumbersOfTheRightKind() throws Exception {
        assertRefused(config(c -> c.put("lora_alpha", "sixteen")), "'lora_alpha'", "number");
        assertRefused(config(c -> c.put("lora_alpha", 0)), "'lora_alpha'", "positive");
        assertRefused(config(c -> c.put("r", 4.7)), "'r'", "positive integer");
        assertRefused(config(c -> c.put("lora_dropout", 1.5)), "'lora_dropout'");
        assertRefused(config(c -> c.put("use_rslora", "yes")), "'use_rslora'");
        assertRefused(config(c -> c.putObject("rank_pattern").put("q_proj", -2)), "'rank_pattern.q_proj'");
    }

    @Test
    void unsupportedFeaturesAreRefusedByName() throws Exception {
        assertRefused(config(c -> c.putArray("modules_to_save").add("lm_head")), "'modules_to_save'");
        assertRefused(config(c -> c.put("lora_bias", true)), "'lora_bias'");
        assertRefused(config(c -> c.put("layers_pattern", "h")), "'layers_pattern'");
    }

    @Test
    void theConfigsTargetsMustMatchTheTensors() throws Exception {
        // lm_head has weights but is no longer targeted
        assertRefused(config(c -> c.putArray("target_modules").add("q_proj").add("k_proj").add("v_proj")
                .add("o_proj").add("gate_proj").add("up_proj").add("down_proj")), "lm_head", "do not target");
        // only layer 0 targeted, but layer 1 has weights
        assertRefused(config(c -> c.putArray("layers_to_transform").add(0)), "model.layers.1", "do not target");
        // a targeted module without weights
        assertRefused(tensors(t -> {
            t.remove("base_model.model.model.layers.1.mlp.up_proj.lora_A.weight");
            t.remove("base_model.model.model.layers.1.mlp.up_proj.lora_B.weight");
        }), "model.layers.1.mlp.up_proj", "no lora_A/lora_B");
    }

    @Test
    void tensorKindsThisLibraryCannotApplyAreRefused() throws Exception {
        assertRefused(tensors(t -> t.put("base_model.model.model.embed_tokens.lora_embedding_A",
                t.values().iterator().next().clone())), "lora_embedding");
        assertRefused(tensors(t -> t.put("base_model.model.lm_head.modules_to_save.default.weight",
                t.values().iterator().next().clone())), "modules_to_save");
        // the saved base-layer copy of lm_head must equal the model's lm_head
        assertRefused(tensors(t -> t.get("base_model.model.lm_head.base_layer.weight").mul_(new Scalar(1.5))),
                "lm_head", "differs");
        assertRefused(tensors(t -> t.get("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight")
                .fill_(new Scalar(Double.NaN))), "q_proj", "NaN");
    }
}
