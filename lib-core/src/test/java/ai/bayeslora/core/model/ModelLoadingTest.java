package ai.bayeslora.core.model;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded/bf16 checkpoints, dtype conversion, and the errors for checkpoints that disagree with config.json. */
class ModelLoadingTest {

    @TempDir
    Path tmp;

    private Path copyOf(String fixture, String configFrom, String configTo) throws IOException {
        Path src = Fixtures.model(fixture);
        Path dst = tmp.resolve(fixture);
        Files.createDirectories(dst);
        Files.copy(src.resolve("model.safetensors"), dst.resolve("model.safetensors"));
        String cfg = Files.readString(src.resolve("config.json"));
        Files.writeString(dst.resolve("config.json"), cfg.replace(configFrom, configTo));
        return dst;
    }

    @Test
    void shardedBf16CheckpointMatchesQwen2ReferenceWithinBf16Tolerance() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-qwen2-sharded-bf16"), TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.model("tiny-qwen2").resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            assertThat(model.config().torchDtype()).contains(DType.BFLOAT16);
            assertThat(DType.of(model.embedTokens().scalar_type())).contains(DType.FLOAT32); // upcast on load
            Tensor logits = model.forward(new ModelInput(ref.tensor("input_ids"), ref.tensor("attention_mask"),
                    ref.tensor("position_ids")));
            Tensor expected = ref.tensor("logits");
            double maxRef = expected.abs().max().item_double();
            double err = Tensors.maxAbsDiff(logits, expected);
            // bf16 weights carry 8 mantissa bits: relative weight error ~2^-9 propagates to a few 1e-2 of logit scale
            assertThat(err).isLessThan(0.05 * maxRef).isGreaterThan(0.0);
        }
    }

    @Test
    void float64ComputeMatchesFloat32Reference() {
        ComputeDevice f64 = TestDevices.device().withDType(DType.FLOAT64);
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), f64);
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.model("tiny-llama").resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            Tensor logits = model.forward(new ModelInput(ref.tensor("input_ids"), ref.tensor("attention_mask"),
                    ref.tensor("position_ids")));
            assertThat(DType.of(logits.scalar_type())).contains(DType.FLOAT64);
            assertThat(Tensors.maxAbsDiff(logits, ref.tensor("logits"))).isLessThan(1e-4);
        }
    }

    @Test
    void shapeThatDisagreesWithConfigNamesTensorAndShapes() throws IOException {
        Path dir = copyOf("tiny-llama", "\"intermediate_size\": 176", "\"intermediate_size\": 180");
        assertThatThrownBy(() -> CausalLM.load(dir, TestDevices.device()))
                .isInstanceOf(WeightShapeException.class)
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
                .hasMessageContaining("[176, 64]").hasMessageContaining("[180, 64]")
                .hasMessageContaining(dir.resolve("model.safetensors").toString());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = copyOf("tiny-llama", "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
        assertThatThrownBy(() -> CausalLM.load(dir, TestDevices.device()))
                .isInstanceOf(WeightShapeException.class)
                .hasMessageContaining("missing tensor 'model.layers.2.self_attn.q_proj.weight'");
    }

    @Test
    void untiedHeadWithoutLmHeadWeightIsAnError() throws IOException {
        Path dir = copyOf("tiny-qwen2", "\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false");
        assertThatThrownBy(() -> CausalLM.load(dir, TestDevices.device()))
                .isInstanceOf(WeightShapeException.class).hasMessageContaining("lm_head.weight")
                .hasMessageContaining("tie_word_embeddings=false");
    }

    @Test
    void unknownModelTypeInFolderListsSupported() throws IOException {
        Path dir = copyOf("tiny-llama", "\"model_type\": \"llama\"", "\"model_type\": \"falcon\"");
        assertThatThrownBy(() -> CausalLM.load(dir, TestDevices.device()))
                .isInstanceOf(UnsupportedArchitectureException.class)
                .hasMessageContaining("falcon").hasMessageContaining("llama, mistral, qwen2")
                .hasMessageContaining(dir.resolve("config.json").toString());
    }

    @Test
    void missingConfigIsNamed() {
        assertThatThrownBy(() -> CausalLM.load(tmp, TestDevices.device()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(tmp.resolve("config.json").toString());
    }

    @Test
    void modulesAreAddressableByHfName() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-qwen2"), TestDevices.device())) {
            assertThat(model.linearLayers()).hasSize(2 * 7 + 1);
            assertThat(model.linear("model.layers.1.self_attn.q_proj").bias()).isNotNull();
            assertThat(model.linear("model.layers.1.self_attn.o_proj").bias()).isNull();
            assertThat(model.linear("model.layers.0.mlp.down_proj").inFeatures()).isEqualTo(176);
            assertThat(model.lmHead().weight().data_ptr().address())
                    .isEqualTo(model.embedTokens().data_ptr().address()); // tied: one tensor
            assertThatThrownBy(() -> model.linear("model.layers.9.self_attn.q_proj"))
                    .hasMessageContaining("no linear layer named");
        }
    }
}
