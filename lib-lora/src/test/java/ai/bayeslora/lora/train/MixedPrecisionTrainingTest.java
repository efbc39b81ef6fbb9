package ai.bayeslora.lora.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixed precision as peft does it, on the CPU with the tiny Llama: a bf16 base trains float32 adapters, so small
 * AdamW updates are not lost to bf16 rounding. The same run (seed, data, lr 1e-5, 2 epochs) on a bf16 and on a float32
 * base must move every lora_A entry and give nearly the same update (docs/METHODS.md §2).
 */
class MixedPrecisionTrainingTest {
    @TempDir
    Path tmp;

    private static double[] theta(LoraAdapter a) {
        return a.parameterValues();
    }

    /** Trains from seed 3 and returns {θ before, θ after}; checks the parameters' and the checkpoint's dtype. */
    private double[][] train(DType dtype) throws Exception {
        McqaDataset data = BundledData.syntheticMcqaDataset().limit(32);
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), ComputeDevice.cpu().withDType(dtype));
             HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder()
                     .addBosFromConfig().build());
             LoraAdapter a = LoraAdapter.create(model, LoraConfig.builder().rank(4).alpha(8)
                     .targetModules("q_proj", "v_proj").build(), 3)) {
            for (Tensor p : a.parameters()) {
                assertThat(DType.of(p.scalar_type())).contains(DType.FLOAT32); // whatever the base's dtype
            }
            double[] before = theta(a);
            TrainingConfig cfg = TrainingConfig.builder().learningRate(1e-5).epochs(2).batchSize(8).seed(3)
                    .progressBar(false).build();
            Path out = tmp.resolve(dtype.hfName());
            new LoraTrainer(cfg).train(a, McqaBatcher.forTokenizer(tok), data, Optional.empty(), out);
            try (ai.bayeslora.core.safetensors.SafetensorsFile f = ai.bayeslora.core.safetensors.SafetensorsFile.open(
                    out.resolve("epoch-002/adapter_model.safetensors"))) {
                for (String name : f.names()) {
                    assertThat(f.info(name).dtype().name()).as(name).isEqualTo("F32"); // saved as peft saves them
                }
            }
            return new double[][] {before, theta(a)};
        }
    }

    @Test
    void aBfloat16BaseTrainsFloat32AdaptersLikeAFloat32Base() throws Exception {
        double[][] bf = train(DType.BFLOAT16);
        double[][] fp = train(DType.FLOAT32);
        assertThat(bf[0]).as("same initialisation").containsExactly(fp[0]);
        int n = bf[0].length;
        int changed = 0;
        int changedFp32 = 0;
        int aEntries = 0;
        double dot = 0;
        double nb = 0;
        double nf = 0;
        for (int i = 0; i < n; i++) {
            double db = bf[1][i] - bf[0][i];
            double df = fp[1][i] - fp[0][i];
            dot += db * df;
            nb += db * db;
            nf += df * df;
        }
        // lora_A entries: the first r·in of each module's block (A then B per module, q then v per layer)
        int offset = 0;
        for (int m = 0; m < 4; m++) {
            int aSize = 4 * 64;
            int bSize = (m % 2 == 0 ? 64 : 32) * 4; // q_proj out 64, v_proj out 32 (2 kv heads × 16)
            for (int i = offset; i < offset + aSize; i++) {
                aEntries++;
                changed += bf[1][i] != bf[0][i] ? 1 : 0;
                changedFp32 += fp[1][i] != fp[0][i] ? 1 : 0;
            }
            offset += aSize + bSize;
        }
        assertThat(offset).isEqualTo(n);
        double cosine = dot / Math.sqrt(nb * nf);
        double ratio = Math.sqrt(nb / nf);
        System.out.printf("lora_A entries moved: %d of %d on a bf16 base, %d on a float32 base; update norm %.4f x "
                + "float32's, cosine %.5f%n", changed, aEntries, changedFp32, ratio, cosine);
        // AdamW moves every entry with a non-zero gradient by about lr per step (A's gradients are non-zero once B
        // is): on either base nearly all of them. With bf16 parameters (before) only about 1 % moved.
        assertThat(changed).isGreaterThanOrEqualTo((int) (0.99 * aEntries));
        assertThat(Math.abs(changed - changedFp32)).isLessThanOrEqualTo(aEntries / 100);
        // the bf16 base perturbs activations and gradients by about its unit roundoff (2⁻⁸ ≈ 0.4 %) per layer, so
        // the normalised AdamW steps agree in direction and size to a few per cent
        assertThat(ratio).isBetween(0.9, 1.1);
        assertThat(cosine).isGreaterThan(0.95);
    }
}
