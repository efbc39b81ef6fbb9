package ai.bayeslora.lora;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peft adapter fixture (r=4, α=8, all projections and lm_head): logits, loss and every gradient vs peft. */
class PeftParityTest {
    private static final Path ADAPTER = Fixtures.path("lora/tiny-llama-lora-r4");

    @TempDir
    Path tmp;

    @Test
    void logitsMatchPeft() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             LoraAdapter adapter = LoraAdapter.load(ADAPTER, model);
             SafetensorsFile ref = SafetensorsFile.open(ADAPTER.resolve("reference.safetensors"));
             PointerScope s = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            assertThat(adapter.layers()).hasSize(2 * 7 + 1);
            assertThat(adapter.config().scaling()).isEqualTo(2.0);
            Tensor logits = model.forward(new ModelInput(ref.tensor("input_ids"), ref.tensor("attention_mask"),
                    ref.tensor("position_ids")), adapter.binding());
            assertThat(Tensors.maxAbsDiff(logits, ref.tensor("logits"))).isLessThan(1e-4);
            // without the binding: the base model's logits (they differ from the adapted ones)
            Tensor base = model.forward(new ModelInput(ref.tensor("input_ids"), ref.tensor("attention_mask"),
                    ref.tensor("position_ids")));
            assertThat(Tensors.maxAbsDiff(base, ref.tensor("logits"))).isGreaterThan(1e-2);
        }
    }

    @Test
    void lossAndEveryGradientMatchPeft() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             LoraAdapter adapter = LoraAdapter.load(ADAPTER, model);
             SafetensorsFile ref = SafetensorsFile.open(ADAPTER.resolve("reference.safetensors"));
             PointerScope s = new PointerScope()) {
            Tensor cls = model.lastTokenLogits(ModelInput.of(ref.tensor("input_ids"), ref.tensor("attention_mask")),
                    ref.tensor("target_ids"), adapter.binding());
            Tensor loss = torch.cross_entropy(cls, ref.tensor("labels"));
            assertThat(Math.abs(loss.item_double() - ref.tensor("loss").item_double())).isLessThan(1e-5);
            loss.backward();
            List<String> names = adapter.parameterNames();
            List<Tensor> params = adapter.parameters();
            int checked = 0;
            for (int i = 0; i < names.size(); i++) {
                String refName = "grad." + names.get(i).replace(".weight", ".default.weight");
                Tensor expected = ref.tensor(refName);
                Tensor got = params.get(i).grad();
                double scale = Math.max(expected.abs().max().item_double(), 1e-12);
                assertThat(Tensors.maxAbsDiff(got, expected) / scale).as(refName).isLessThan(1e-4);
                checked++;
            }
            assertThat(checked).isEqualTo(ref.names().stream().filter(n -> n.startsWith("grad.")).count());
        }
    }

    @Test
    void saveThenLoadRoundTripsBitwiseWithPeftKeyNames() throws IOException {
        Path out = tmp.resolve("saved");
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             LoraAdapter adapter = LoraAdapter.load(ADAPTER, model)) {
            adapter.save(out);
            try (LoraAdapter again = LoraAdapter.load(out, model);
                 SafetensorsFile orig = SafetensorsFile.open(ADAPTER.resolve("adapter_model.safetensors"));
                 SafetensorsFile saved = SafetensorsFile.open(out.resolve("adapter_model.safetensors"))) {
                assertThat(again.config()).isEqualTo(adapter.config());
                for (String name : saved.names()) {
                    assertThat(orig.rawBytes(name)).as(name).isEqualTo(saved.rawBytes(name));
                }
                // every LoRA key of the peft file is present (peft's extra base_layer copy is not needed)
                assertThat(orig.names().stream().filter(n -> n.contains(".lora_"))).containsExactlyInAnyOrderElementsOf(
                        saved.names());
            }
        }
        String cfg = Files.readString(out.resolve("adapter_config.json"));
        assertThat(cfg).contains("\"peft_type\" : \"LORA\"").contains("\"r\" : 4").contains("\"lora_alpha\" : 8")
                .contains("\"target_modules\"").contains("\"task_type\" : \"CAUSAL_LM\"");
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).containsExactly("saved");
    }

    @Test
    void adapterForAnotherModelIsRejectedWithTheTensorName() throws IOException {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(ADAPTER.resolve("adapter_model.safetensors"), bad.resolve("adapter_model.safetensors"));
        Files.writeString(bad.resolve("adapter_config.json"),
                Files.readString(ADAPTER.resolve("adapter_config.json")).replace("\"r\": 4", "\"r\": 8"));
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device())) {
            assertThatThrownBy(() -> LoraAdapter.load(bad, model)).isInstanceOf(AdapterFormatException.class)
                    .hasMessageContaining("lora_A.weight").hasMessageContaining("[8, 64]");
            assertThatThrownBy(() -> LoraAdapter.load(tmp, model)).isInstanceOf(AdapterFormatException.class)
                    .hasMessageContaining("adapter_config.json not found");
        }
    }
}
