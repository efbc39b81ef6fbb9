package ai.bayeslora.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.testing.Fixtures;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Config semantics, checked against transformers' documented defaults and the fixture configs. */
class HfConfigParserTest {

    private static final String BASE = "\"vocab_size\":100,\"hidden_size\":64,\"intermediate_size\":128,"
            + "\"num_hidden_layers\":3,\"num_attention_heads\":8";

    private static ModelConfig parse(String body) {
        return HfConfigParser.parse("{" + body + "}", "test/config.json");
    }

    @Test
    void fixtureConfigs() {
        ModelConfig llama = ModelConfig.load(Fixtures.model("tiny-llama"));
        assertThat(llama.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(llama.rope().theta()).isEqualTo(10000.0);
        assertThat(llama.numKvHeads()).isEqualTo(2);
        assertThat(llama.headDim()).isEqualTo(16);
        assertThat(llama.tieWordEmbeddings()).isFalse();
        assertThat(llama.torchDtype()).contains(DType.FLOAT32);

        ModelConfig mistral = ModelConfig.load(Fixtures.model("tiny-mistral"));
        assertThat(mistral.rope().theta()).isEqualTo(1_000_000.0); // top-level rope_theta (older style)
        assertThat(mistral.slidingWindows()).containsOnly(OptionalInt.empty()); // sliding_window: null
        assertThat(mistral.torchDtype()).contains(DType.FLOAT32); // torch_dtype

        ModelConfig qwen = ModelConfig.load(Fixtures.model("tiny-qwen2"));
        assertThat(qwen.qkvBias()).isTrue();
        assertThat(qwen.outputBias()).isFalse();
        assertThat(qwen.tieWordEmbeddings()).isTrue();
        assertThat(qwen.rope().theta()).isEqualTo(1_000_000.0);
    }

    @Test
    void headDimDerivedOrGiven() {
        assertThat(parse("\"model_type\":\"llama\"," + BASE).headDim()).isEqualTo(8);
        assertThat(parse("\"model_type\":\"llama\"," + BASE + ",\"head_dim\":32").headDim()).isEqualTo(32);
        assertThat(parse("\"model_type\":\"llama\"," + BASE + ",\"head_dim\":null").headDim()).isEqualTo(8);
    }

    @Test
    void kvHeadsDefaultsFollowTransformers() {
        assertThat(parse("\"model_type\":\"llama\"," + BASE).numKvHeads()).isEqualTo(8);
        assertThat(parse("\"model_type\":\"qwen2\"," + BASE).numKvHeads()).isEqualTo(8);
        assertThat(parse("\"model_type\":\"mistral\"," + BASE).numKvHeads()).isEqualTo(8);
        ModelConfig mqa = parse("\"model_type\":\"llama\"," + BASE + ",\"num_key_value_heads\":1");
        assertThat(mqa.groupSize()).isEqualTo(8);
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\"," + BASE + ",\"num_key_value_heads\":3"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("num_key_value_heads");
    }

    @Test
    void llamaBiasesFollowAttentionBiasAndMlpBias() {
        ModelConfig c = parse("\"model_type\":\"llama\"," + BASE + ",\"attention_bias\":true,\"mlp_bias\":true");
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputBias()).isTrue();
        assertThat(c.mlpBias()).isTrue();
        ModelConfig m = parse("\"model_type\":\"mistral\"," + BASE);
        assertThat(m.qkvBias() || m.outputBias() || m.mlpBias()).isFalse();
    }

    @Test
    void ropeParametersTransformers5Style() {
        ModelConfig c = parse("\"model_type\":\"llama\"," + BASE + ",\"rope_parameters\":{\"rope_theta\":500000.0,"
                + "\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":8192}");
        assertThat(c.rope().type()).isEqualTo(RopeConfig.Type.LLAMA3);
        assertThat(c.rope().theta()).isEqualTo(500000.0);
        assertThat(c.rope().factor()).isEqualTo(8.0);
        assertThat(c.rope().originalMaxPositions()).isEqualTo(8192);
    }

    @Test
    void ropeScalingOlderStyle() {
        ModelConfig c = parse("\"model_type\":\"llama\"," + BASE + ",\"rope_theta\":500000.0,\"rope_scaling\":{"
                + "\"rope_type\":\"llama3\",\"factor\":32.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
                + "\"original_max_position_embeddings\":8192}");
        assertThat(c.rope().type()).isEqualTo(RopeConfig.Type.LLAMA3);
        assertThat(c.rope().theta()).isEqualTo(500000.0);
        assertThat(c.rope().factor()).isEqualTo(32.0);
        ModelConfig lin = parse("\"model_type\":\"llama\"," + BASE + ",\"rope_scaling\":{\"type\":\"linear\","
                + "\"factor\":2.0}");
        assertThat(lin.rope().type()).isEqualTo(RopeConfig.Type.LINEAR);
        assertThat(lin.rope().theta()).isEqualTo(10000.0);
    }

    @Test
    void llama3WithoutItsFieldsIsAClearError() {
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\"," + BASE + ",\"rope_scaling\":{\"rope_type\":\"llama3\","
                + "\"factor\":8.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("low_freq_factor");
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\"," + BASE + ",\"rope_scaling\":{\"rope_type\":\"yarn2\","
                + "\"factor\":8.0}"))
                .isInstanceOf(UnsupportedArchitectureException.class).hasMessageContaining("yarn2")
                .hasMessageContaining("llama3");
    }

    @Test
    void slidingWindowSemantics() {
        ModelConfig mistral = parse("\"model_type\":\"mistral\"," + BASE + ",\"sliding_window\":4096");
        assertThat(mistral.slidingWindows()).containsOnly(OptionalInt.of(4096));
        // Qwen2 ignores sliding_window unless use_sliding_window
        ModelConfig qOff = parse("\"model_type\":\"qwen2\"," + BASE + ",\"sliding_window\":32,\"use_sliding_window\":false");
        assertThat(qOff.slidingWindows()).containsOnly(OptionalInt.empty());
        // without layer_types, layers >= max_window_layers slide
        ModelConfig qOn = parse("\"model_type\":\"qwen2\"," + BASE
                + ",\"sliding_window\":32,\"use_sliding_window\":true,\"max_window_layers\":2");
        assertThat(qOn.slidingWindows()).containsExactly(OptionalInt.empty(), OptionalInt.empty(), OptionalInt.of(32));
        ModelConfig qTypes = parse("\"model_type\":\"qwen2\"," + BASE + ",\"sliding_window\":32,\"use_sliding_window\":true,"
                + "\"layer_types\":[\"sliding_attention\",\"full_attention\",\"sliding_attention\"]");
        assertThat(qTypes.slidingWindows()).containsExactly(OptionalInt.of(32), OptionalInt.empty(), OptionalInt.of(32));
        ModelConfig llama = parse("\"model_type\":\"llama\"," + BASE + ",\"sliding_window\":8");
        assertThat(llama.slidingWindows()).containsOnly(OptionalInt.empty());
    }

    @Test
    void unknownModelTypeListsSupported() {
        assertThatThrownBy(() -> parse("\"model_type\":\"gpt2\"," + BASE))
                .isInstanceOf(UnsupportedArchitectureException.class)
                .hasMessageContaining("test/config.json").hasMessageContaining("'gpt2'")
                .hasMessageContaining("llama, mistral, qwen2");
        assertThatThrownBy(() -> parse(BASE)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("model_type").hasMessageContaining("llama, mistral, qwen2");
    }

    @Test
    void missingOrBadRequiredFieldIsNamed() {
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":8,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'intermediate_size'");
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\"," + BASE.replace("100", "\"100\"")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("vocab_size");
        assertThatThrownBy(() -> HfConfigParser.parse("{not json", "x/config.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("x/config.json");
        assertThatThrownBy(() -> parse("\"model_type\":\"llama\"," + BASE + ",\"hidden_act\":\"tanhshrink\""))
                .isInstanceOf(UnsupportedArchitectureException.class).hasMessageContaining("hidden_act");
    }

    @Test
    void parameterCountMatchesFixtureFile() {
        // tiny-llama: 2 layers, untied: the checkpoint's element count
        ModelConfig c = ModelConfig.load(Fixtures.model("tiny-llama"));
        try (var ck = ai.bayeslora.core.safetensors.Checkpoint.open(Fixtures.model("tiny-llama"))) {
            long n = ck.names().stream().mapToLong(k -> ck.info(k).numel()).sum();
            assertThat(c.parameterCount()).isEqualTo(n);
        }
    }
}
