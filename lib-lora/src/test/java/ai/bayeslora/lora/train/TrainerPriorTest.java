package ai.bayeslora.lora.train;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.LoraLayer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The priors' penalties against hand computation from the flattened parameter vector θ (Java doubles): the Gaussian
 * from Σθ², the LoRA-product prior by forming each B·A explicitly (the implementation uses the r×r Gram identity).
 */
class TrainerPriorTest {

    @Test
    @SuppressWarnings("try")
    void penaltiesMatchHandComputationFromTheFlatVector() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64));
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(3).alpha(6)
                     .targetModules("q_proj", "v_proj", "lm_head").build(), 9);
             PointerScope s = new PointerScope()) {
            try (NoGradGuard g = new NoGradGuard()) {
                torch.manual_seed(2);
                for (Tensor p : adapter.parameters()) {
                    p.add_(torch.randn_like(p).mul(new Scalar(0.3)));
                }
            }
            double[] theta = adapter.parameterValues();
            double sumSq = 0;
            for (double t : theta) {
                sumSq += t * t;
            }
            double lambda = 3.5;
            long n = 48;
            // a sum of P squares, in libtorch's order and in ours: γ_P relative each (no cancellation), plus the scaling
            double gP = RoundingBounds.gamma(theta.length);
            assertThat(Prior.gaussian(lambda).stepPenalty(adapter, n).item_double())
                    .isCloseTo(lambda / (2.0 * n) * sumSq, within((2 * gP + 4 * RoundingBounds.U64) * lambda / (2.0 * n)
                            * sumSq));

            // walk θ in flatten's layout: per module A [r, in] then B [out, r], row-major
            double ba = 0;
            double baError = 0; // Σ 2|w|·γ_r Σ_k |b_k a_k|: the rounding of each entry w of BA, squared
            long entries = 0;
            int offset = 0;
            for (LoraLayer l : adapter.layers().values()) {
                int r = (int) l.a().size(0);
                int in = (int) l.a().size(1);
                int out = (int) l.b().size(0);
                int aAt = offset;
                int bAt = offset + r * in;
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double w = 0;
                        double abs = 0;
                        for (int k = 0; k < r; k++) {
                            w += theta[bAt + o * r + k] * theta[aAt + k * in + i];
                            abs += Math.abs(theta[bAt + o * r + k] * theta[aAt + k * in + i]);
                        }
                        ba += w * w;
                        baError += 2 * Math.abs(w) * RoundingBounds.gamma(r) * abs;
                    }
                }
                offset = bAt + out * r;
                entries += (long) out * in;
            }
            assertThat(offset).isEqualTo(theta.length);
            double beta = 0.75;
            // each side: the entries' rounding (twice: libtorch's matmul and ours), then a sum of squares (γ_P each)
            assertThat(Prior.loraProduct(beta).stepPenalty(adapter, n).item_double())
                    .isCloseTo(beta * ba, within(beta * (2 * baError + (2 * RoundingBounds.gamma(entries)
                            + 4 * RoundingBounds.U64) * ba)));
            assertThat(Prior.none().stepPenalty(adapter, n).item_double()).isEqualTo(0.0);
        }
    }

    @Test
    void loraProductIsZeroAtPeftInitialisationAndGaussianIsNot() {
        // B = 0 at creation: ΔW = 0, so the product prior is exactly zero while ‖θ‖² > 0 (A is random)
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
             LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().build(), 1);
             PointerScope s = new PointerScope()) {
            assertThat(Prior.loraProduct(1).stepPenalty(adapter, 1).item_double()).isEqualTo(0.0);
            assertThat(Prior.gaussian(1).stepPenalty(adapter, 1).item_double()).isPositive();
        }
    }

    @Test
    void presetsFollowThePublishedProtocols() {
        TrainingConfig b = TrainingConfig.balabanov2024();
        assertThat(b.optimizer()).isEqualTo(new OptimizerConfig.AdamW(0.9, 0.999, 1e-8, 0));
        assertThat(b.learningRate()).isEqualTo(5e-6);
        assertThat(b.maxGradNorm()).hasValue(0.3);
        assertThat(b.batchSize()).isEqualTo(8);
        assertThat(b.epochs()).isEqualTo(10);
        assertThat(b.prior()).isEqualTo(Prior.loraProduct(1.0));
        assertThat(b.reduction()).isEqualTo(ai.bayeslora.core.mcqa.ClassReduction.FULL_VOCAB_WITH_OTHER);
        TrainingConfig l = TrainingConfig.laplaceLora();
        assertThat(l.learningRate()).isEqualTo(5e-5);
        assertThat(l.batchSize()).isEqualTo(4);
        assertThat(l.gaussianPriorPrecision()).hasValue(1.0);
        assertThat(l.totalSteps(1000)).isEqualTo(10_000);
        assertThat(b.gaussianPriorPrecision()).isEmpty();
        assertThatThrownBy(() -> Prior.gaussian(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainingConfig.builder().batchSize(0).build())
                .hasMessageContaining("batchSize");
    }
}
