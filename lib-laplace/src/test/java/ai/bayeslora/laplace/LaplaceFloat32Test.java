package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * The exact-gradient structures (DIAG, FULL) and K-FAC (whose factors are then factorised in float32) fitted on a
 * float32 model: the fit combines the C passes in float64
 * while the captured activations stay float32 (a dtype mix that once failed). Against the float64 fit of the same
 * adapter: the per-example gradients carry the float32 forward/backward budget, (10·layers + 2)·20·γ_400 in float32
 * (as {@code RoundingBounds.tinyModel} with u = 2⁻²⁴, 1.05e-2 for two layers), and a curvature entry is a product of two
 * of them: twice that, relative.
 */
class LaplaceFloat32Test {
    @Test
    void diagAndFullFitInFloat32AgreeWithFloat64() {
        double gamma32 = 400 * 0x1.0p-24 / (1 - 400 * 0x1.0p-24);
        double bound = 2 * (10.0 * 2 + 2) * 20 * gamma32;
        try (TinySetup t = TinySetup.qv();
             CausalLM m32 = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT32));
             LoraAdapter a32 = LoraAdapter.create(m32, LoraConfig.builder().rank(2).alpha(4)
                     .targetModules(List.of("q_proj", "v_proj")).build(), 7);
             PointerScope s = new PointerScope()) {
            a32.assign(t.adapter.parameterValues());
            AnswerScorer s32 = new AnswerScorer(m32, AnswerTokens.of(t.tokenizer, t.data.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            for (Structure structure : new Structure[] {Structure.DIAG, Structure.FULL, Structure.KFAC}) {
                try (LaplacePosterior p64 = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 8, 4))
                        .structure(structure).priorPrecision(1).run();
                     LaplacePosterior p32 = LaplaceLoRA.fit(s32, a32, t.batches(0, 8, 4))
                             .structure(structure).priorPrecision(1).run()) {
                    Tensor want = p64.precisionModel().dense();
                    Tensor got = p32.precisionModel().dense().to(ScalarType.Double);
                    double rel = got.sub(want).norm().item_double() / want.norm().item_double();
                    assertThat(rel).as("%s relative difference", structure).isLessThan(bound);
                    // K-FAC's factors are factorised in float32 for a float32 model: the evidence is a sum of
                    // log(eigenvalue products + λ), each eigenvalue within u₃₂‖F‖ of the float64 fit's on top of the
                    // gradients' budget
                    assertThat(p32.logMarginalLikelihood()).as("%s evidence", structure)
                            .isCloseTo(p64.logMarginalLikelihood(), org.assertj.core.api.Assertions.within(
                                    bound * Math.abs(p64.logMarginalLikelihood())));
                }
            }
        }
    }
}
