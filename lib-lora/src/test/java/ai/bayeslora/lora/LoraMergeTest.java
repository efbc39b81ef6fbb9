package ai.bayeslora.lora;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Merging W + sBA gives peft's adapted logits without LoRA matmuls; unmerging restores the base model. */
class LoraMergeTest {

    @Test
    void mergedCopyMatchesPeftReferenceAndLeavesTheBaseModelUnchanged() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.path("lora/tiny-llama-lora-r4/reference.safetensors"));
             SafetensorsFile base = SafetensorsFile.open(Fixtures.model("tiny-llama").resolve("reference_logits.safetensors"));
             PointerScope s = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            ModelInput in = new ModelInput(ref.tensor("input_ids"), ref.tensor("attention_mask"), ref.tensor("position_ids"));
            CausalLM merged;
            try (LoraAdapter adapter = LoraAdapter.load(Fixtures.path("lora/tiny-llama-lora-r4"), model)) {
                merged = adapter.mergedModel();
                // peft's adapted logits from the merged copy without any adapter, and through the binding
                assertThat(Tensors.maxAbsDiff(merged.forward(in), ref.tensor("logits"))).isLessThan(1e-4);
                assertThat(Tensors.maxAbsDiff(model.forward(in, adapter.binding()), ref.tensor("logits")))
                        .isLessThan(1e-4);
                // the base model is untouched: its weights are not the merged copy's
                assertThat(Tensors.maxAbsDiff(model.forward(in), base.tensor("logits"))).isLessThan(1e-4);
                assertThat(merged.linear("model.layers.0.self_attn.q_proj").weight())
                        .isNotSameAs(model.linear("model.layers.0.self_attn.q_proj").weight());
                // unadapted tensors (here the embedding) are shared, not copied
                assertThat(merged.embedTokens().data_ptr().address())
                        .isEqualTo(model.embedTokens().data_ptr().address());
            }
            // the copy holds its own references: it outlives the adapter, and closing it leaves the base intact
            assertThat(Tensors.maxAbsDiff(merged.forward(in), ref.tensor("logits"))).isLessThan(1e-4);
            merged.close();
            assertThat(Tensors.maxAbsDiff(model.forward(in), base.tensor("logits"))).isLessThan(1e-4);
        }
    }

    @Test
    void tiedHeadAdaptsTheOutputHeadOnlyAndRefusesToMerge() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-qwen2"), TestDevices.device());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(2)
                     .targetModules("lm_head").build(), 3)) {
            assertThat(model.config().tieWordEmbeddings()).isTrue();
            assertThatThrownBy(adapter::mergedModel).hasMessageContaining("tied");
            assertThat(adapter.layers()).containsOnlyKeys("lm_head");
        }
    }
}
