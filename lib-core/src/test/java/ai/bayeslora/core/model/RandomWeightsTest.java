package ai.bayeslora.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * Random weights come from a private generator: libtorch's global generator is neither advanced nor reseeded, and the
 * values equal the old global-generator recipe (manual_seed, then randn in load order) computed here independently.
 */
class RandomWeightsTest {
    private static final ModelConfig CONFIG = HfConfigParser.parse("{\"model_type\":\"llama\",\"vocab_size\":50,"
            + "\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,\"num_attention_heads\":2,"
            + "\"num_key_value_heads\":1,\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":false,"
            + "\"max_position_embeddings\":32}", "random-weights test config");

    @Test
    void drawsFromItsOwnGeneratorWithTheManualSeedValues() {
        String[] names = {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
            "model.layers.0.input_layernorm.weight", "lm_head.weight"};
        NativeScope.run(() -> {
            torch.manual_seed(99);
            double expectedNext = torch.rand(1).item_double();
            torch.manual_seed(99);
            double[][] actual = new double[names.length][];
            try (RandomWeights w = new RandomWeights(CONFIG, 0.5, 7)) {
                for (int i = 0; i < names.length; i++) {
                    actual[i] = Tensors.toDoubles(w.load(names[i], ScalarType.Float, new Device("cpu")));
                }
            }
            // the global stream continues as if nothing had drawn from it
            assertThat(torch.rand(1).item_double()).isEqualTo(expectedNext);

            // oracle: the global generator seeded with 7, the same draws in the same order (norms draw nothing)
            torch.manual_seed(7);
            TensorOptions f32 = new TensorOptions(ScalarType.Float);
            for (int i = 0; i < names.length; i++) {
                long[] shape = new RandomWeights(CONFIG, 0.5, 0).shape(names[i]);
                double[] expected = Tensors.toDoubles(names[i].endsWith("norm.weight") ? torch.ones(shape, f32)
                        : torch.randn(shape, f32).mul(new Scalar(0.5)));
                assertThat(actual[i]).as(names[i]).isEqualTo(expected);
            }
        });
    }
}
