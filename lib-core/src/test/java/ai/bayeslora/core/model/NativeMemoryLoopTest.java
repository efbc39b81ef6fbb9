package ai.bayeslora.core.model;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/**
 * A 10,000-step scoped inference loop keeps the resident set flat. A leak of one [4, 400] float tensor per step would
 * add 64 MB; the bound below catches anything over ~2.5 KB per step. (The JVM heap is pre-touched by the surefire
 * argLine so heap growth does not masquerade as native growth.)
 */
class NativeMemoryLoopTest {

    @Test
    void tenThousandScopedStepsKeepNativeMemoryFlat() {
        try (CausalLM model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device())) {
            long afterWarmup = 0;
            long max = 0;
            for (int i = 1; i <= 10_000; i++) {
                try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                    Tensor ids = torch.randint(300, new long[] {4, 32}, new TensorOptions(ScalarType.Long));
                    Tensor mask = torch.ones(new long[] {4, 32}, new TensorOptions(ScalarType.Long));
                    mask.narrow(1, 0, i % 16).narrow(0, 0, 2).fill_(new Scalar(0));
                    model.lastTokenLogits(ModelInput.of(ids, mask), null).sum().item_double();
                }
                if (i == 1_000) {
                    afterWarmup = Pointer.physicalBytes();
                }
                if (i > 1_000 && i % 500 == 0) {
                    max = Math.max(max, Pointer.physicalBytes());
                }
            }
            long growth = max - afterWarmup;
            assertThat(growth).as("RSS growth over 9,000 steps (bytes)").isLessThan(24L << 20);
        }
    }
}
