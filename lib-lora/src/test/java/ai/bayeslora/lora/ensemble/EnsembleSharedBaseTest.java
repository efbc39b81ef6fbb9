package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.TestDevices;
import static ai.bayeslora.lora.ensemble.TestEnsembles.TARGETS;
import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.LinearLayer;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * The base weights are held once: members share the model object, no prediction copies or replaces a base tensor,
 * the resident set does not grow with M beyond the adapters, and repeated predictions do not leak native memory.
 */
class EnsembleSharedBaseTest {

    @Test
    void membersShareTheBaseTensorsInBothModes() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer()) {
            Map<String, Long> before = addresses(model);
            long embed = model.embedTokens().data_ptr().address();
            LoraConfig cfg = config(4, 8, TARGETS);
            try (LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                    .member(randomMember(model, cfg, 1, 0.1)).member(randomMember(model, cfg, 2, 0.1))
                    .member(randomMember(model, cfg, 3, 0.1)).build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 4);
                for (EnsembleInference mode : EnsembleInference.values()) {
                    e.predict(batch, EnsembleOptions.builder().inference(mode).build());
                    assertThat(addresses(model)).as(mode.name()).isEqualTo(before);
                }
                for (LoraAdapter m : e.members()) {
                    assertThat(m.model()).isSameAs(model);
                }
            }
            assertThat(model.embedTokens().data_ptr().address()).isEqualTo(embed);
        }
    }

    private static Map<String, Long> addresses(CausalLM model) {
        Map<String, Long> a = new LinkedHashMap<>();
        for (LinearLayer l : model.linearLayers().values()) {
            a.put(l.name(), l.weight().data_ptr().address());
        }
        a.put("embed_tokens", model.embedTokens().data_ptr().address());
        return a;
    }

    /**
     * A ~46 MB model (vocab 32000, hidden 256, untied) with 5 members on q and v: building the ensemble and predicting
     * must add far less than one model copy (5 copies would add ~180 MB).
     */
    @Test
    void residentSetDoesNotGrowWithTheNumberOfMembers() {
        ModelConfig c = HfConfigParser.parse("{\"model_type\":\"llama\",\"vocab_size\":32000,\"hidden_size\":256,"
                + "\"intermediate_size\":512,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                + "\"num_key_value_heads\":4,\"rms_norm_eps\":1e-5,\"tie_word_embeddings\":false,"
                + "\"max_position_embeddings\":256}", "rss test config");
        long modelBytes = 4L * c.parameterCount();
        try (CausalLM model = CausalLM.build(c, new RandomWeights(c, 0.02, 1), TestDevices.device());
             HfTokenizer tok = TestEnsembles.tokenizer()) {
            EncodedBatch batch = TestEnsembles.batch(tok, 4);
            LoraConfig cfg = config(8, 16, "q_proj", "v_proj");
            try (LoraEnsemble one = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                    .member(randomMember(model, cfg, 1, 0.02)).build()) {
                one.predict(batch); // warm-up: libraries, allocator pools
            }
            long rss1 = Pointer.physicalBytes();
            LoraEnsemble.Builder b = LoraEnsemble.builder(model, TestEnsembles.answers(tok));
            long adapterBytes = 0;
            for (int m = 0; m < 5; m++) {
                LoraAdapter a = randomMember(model, cfg, 10 + m, 0.02);
                adapterBytes += 4 * a.parameterCount();
                b.member(a);
            }
            try (LoraEnsemble five = b.build()) {
                five.predict(batch);
                five.predict(batch, EnsembleOptions.builder().inference(EnsembleInference.SEQUENTIAL).build());
                long growth = Pointer.physicalBytes() - rss1;
                assertThat(growth).as("RSS growth for 5 members (bytes); model %d bytes, adapters %d bytes",
                        modelBytes, adapterBytes).isLessThan(adapterBytes + modelBytes / 4);
            }
        }
    }

    @Test
    void repeatedPredictionsKeepNativeMemoryFlat() {
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer()) {
            LoraConfig cfg = config(4, 8, TARGETS);
            try (LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                    .member(randomMember(model, cfg, 1, 0.1)).member(randomMember(model, cfg, 2, 0.1))
                    .member(randomMember(model, cfg, 3, 0.1)).build()) {
                EncodedBatch batch = TestEnsembles.batch(tok, 8);
                EnsembleOptions seq = EnsembleOptions.builder().inference(EnsembleInference.SEQUENTIAL).build();
                long warm = 0;
                for (int i = 1; i <= 150; i++) {
                    e.predict(batch, i % 2 == 0 ? seq : e.options()); // alternate batched and sequential
                    if (i == 30) {
                        warm = Pointer.physicalBytes();
                    }
                }
                // a leaked [M·B, L, 64] float activation (~240 KB) per step alone would add ~29 MB over 120 steps
                assertThat(Pointer.physicalBytes() - warm).as("RSS growth over 120 steps (bytes)")
                        .isLessThan(12L << 20);
            }
        }
    }
}
