package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.HfTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link BundledData#tinyLlamaModel()} against independent references: transformers' logits for that checkpoint
 * (fixtures/models/tiny-llama/reference_logits.safetensors) and the tokenizer's reference ids written by HF tokenizers
 * (fixtures/tokenizer/reference.json).
 */
class BundledTinyLlamaTest {

    @Test
    void isALoadableHfFolderWhoseLogitsMatchTransformers() {
        Path dir = BundledData.tinyLlamaModel();
        assertThat(dir.resolve("config.json")).isRegularFile();
        assertThat(dir.resolve("model.safetensors")).isRegularFile();
        assertThat(dir.resolve("tokenizer.json")).isRegularFile();
        assertThat(BundledData.tinyLlamaModel()).as("one folder per JVM").isSameAs(dir);
        try (CausalLM model = CausalLM.load(dir, TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(
                     Fixtures.model("tiny-llama").resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            Tensor expected = ref.tensor("logits");
            Tensor logits = model.forward(ModelInput.of(ref.tensor("input_ids"), ref.tensor("attention_mask")));
            // the tolerance of ModelParityTest: float32 forward against transformers' float32 eager forward
            assertThat(Tensors.maxAbsDiff(logits, expected)).isLessThan(1e-4);
        }
    }

    @Test
    void tokenizerMatchesHfTokenizersReferenceIds() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(Files.readString(Fixtures.path("tokenizer/reference.json")));
        JsonNode samples = ref.has("samples") ? ref.get("samples") : ref;
        int checked = 0;
        try (HfTokenizer tok = HfTokenizer.load(BundledData.tinyLlamaModel())) {
            for (JsonNode s : samples) {
                if (!s.has("text") || !s.has("ids")) {
                    continue;
                }
                int[] want = new int[s.get("ids").size()];
                for (int i = 0; i < want.length; i++) {
                    want[i] = s.get("ids").get(i).asInt();
                }
                assertThat(tok.encode(s.get("text").asText())).as(s.get("text").asText()).containsExactly(want);
                checked++;
            }
        }
        assertThat(checked).isPositive();
    }
}
