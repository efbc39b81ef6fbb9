package ai.bayeslora.core.model;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logits on config variants (MQA, explicit head_dim, llama3 / linear RoPE scaling, Llama and Qwen2 biases, tied and
 * untied heads, Mistral and Qwen2 sliding windows) against the float64 numpy oracle in
 * {@code fixtures/variants/generate_variants.py}, which itself matches transformers' logits on fixtures/models to ~3e-6.
 */
class VariantParityTest {

    static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {
        "llama-mqa-headdim",
        "llama3-rope",
        "llama-linear-rope-old-style",
        "llama-bias-tied",
        "qwen2-untied-bias",
        "mistral-sliding",
        "qwen2-sliding-layer-types",
        "qwen2-sliding-max-window-layers",
        "qwen2-sliding-disabled"})
    void paddedBatchLogitsMatchOracle(String name) {
        Path dir = Fixtures.path("variants/" + name);
        try (CausalLM model = CausalLM.load(dir, TestDevices.device());
             SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference_logits.safetensors"));
             PointerScope scope = new PointerScope();
             NoGradGuard ng = new NoGradGuard()) {
            Tensor ids = ref.tensor("input_ids");
            Tensor mask = ref.tensor("attention_mask");
            Tensor pos = ref.tensor("position_ids");
            Tensor expected = ref.tensor("logits");

            Tensor logits = model.forward(new ModelInput(ids, mask, pos));
            assertThat(Tensors.shape(logits)).containsExactly(Tensors.shape(expected));
            // real (unpadded) positions
            Tensor real = mask.to(logits.scalar_type()).unsqueeze(-1);
            double realErr = Tensors.maxAbsDiff(logits.mul(real), expected.mul(real));
            assertThat(realErr).as("%s real positions", name).isLessThan(TOL);
            // every position, padding included (fully masked rows attend uniformly, as in transformers' eager path)
            assertThat(Tensors.maxAbsDiff(logits, expected)).as("%s all positions", name).isLessThan(TOL);

            // position ids derived from the mask
            Tensor derived = model.forward(ModelInput.of(ids, mask));
            assertThat(Tensors.maxAbsDiff(derived, expected)).as("%s derived positions", name).isLessThan(TOL);

            // last real token of each row (left padding: the last column)
            Tensor last = model.lastTokenLogits(ModelInput.of(ids, mask), null);
            Tensor expectedLast = expected.select(1, expected.size(1) - 1);
            assertThat(Tensors.shape(last)).containsExactly(Tensors.shape(expectedLast));
            double lastErr = Tensors.maxAbsDiff(last, expectedLast);
            assertThat(lastErr).as("%s last token", name).isLessThan(TOL);
            System.out.printf("%s: max|diff| real=%.3e all=%.3e last=%.3e%n", name, realErr,
                    Tensors.maxAbsDiff(logits, expected), lastErr);
        }
    }
}
