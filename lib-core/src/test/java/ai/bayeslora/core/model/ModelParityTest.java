package ai.bayeslora.core.model;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Logits against HF transformers' reference logits (fixtures/models/*&#47;reference_logits.safetensors). */
class ModelParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-mistral", "tiny-qwen2"})
    void paddedBatchLogitsMatchTransformers(String name) {
        try (CausalLM model = CausalLM.load(Fixtures.model(name), TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.model(name).resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            Tensor ids = ref.tensor("input_ids");
            Tensor mask = ref.tensor("attention_mask");
            Tensor pos = ref.tensor("position_ids");
            Tensor expected = ref.tensor("logits");
            Tensor logits = model.forward(new ModelInput(ids, mask, pos));
            assertThat(Tensors.shape(logits)).containsExactly(Tensors.shape(expected));
            // every position, padding included (transformers' eager mask semantics)
            assertThat(Tensors.maxAbsDiff(logits, expected)).isLessThan(1e-4);
            // position ids derived from the mask give the same
            Tensor derived = model.forward(ModelInput.of(ids, mask));
            assertThat(Tensors.maxAbsDiff(derived, expected)).isLessThan(1e-4);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-mistral", "tiny-qwen2"})
    void singleRowsAndLastTokenLogitsMatch(String name) {
        try (CausalLM model = CausalLM.load(Fixtures.model(name), TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.model(name).resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            Tensor ids = ref.tensor("input_ids");
            Tensor mask = ref.tensor("attention_mask");
            Tensor lastPadded = model.lastTokenLogits(ModelInput.of(ids, mask), null);
            for (int j = 0; j < 3; j++) {
                Tensor single = ref.tensor("single_" + j + "_ids").unsqueeze(0);
                Tensor expected = ref.tensor("single_" + j + "_logits");
                Tensor logits = model.forward(ModelInput.of(single)).squeeze(0);
                assertThat(Tensors.maxAbsDiff(logits, expected)).as("row %d", j).isLessThan(1e-4);
                Tensor expectedLast = expected.select(0, expected.size(0) - 1);
                assertThat(Tensors.maxAbsDiff(model.lastTokenLogits(ModelInput.of(single), null).squeeze(0),
                        expectedLast)).isLessThan(1e-4);
                // padded batch, last real token == unpadded run
                assertThat(Tensors.maxAbsDiff(lastPadded.select(0, j), expectedLast)).isLessThan(1e-4);
            }
            // selected vocabulary ids equal the same columns of the full head
            Tensor letters = Tensors.ofLongs(new long[] {317, 318, 319, 320}, 4);
            Tensor sel = model.lastTokenLogits(ModelInput.of(ids, mask), letters);
            assertThat(Tensors.maxAbsDiff(sel, lastPadded.index_select(1, letters))).isLessThan(1e-6);
        }
    }
}
