package ai.bayeslora.lora.swag;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** tiny-llama with a 4-class answer scorer and a small left-padded batch, for the predictive tests. */
public final class TestModel implements AutoCloseable {
    public final CausalLM model;
    public final AnswerScorer scorer;
    public final EncodedBatch batch;

    public TestModel() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
        try (HfTokenizer tok = HfTokenizer.load(Fixtures.tokenizerJson())) {
            scorer = new AnswerScorer(model, AnswerTokens.of(tok, List.of("A", "B", "C", "D")),
                    ClassReduction.ANSWER_TOKENS);
        }
        batch = batch(3, 7, 11);
    }

    /** B random prompts of length L; row 1 is left-padded by two positions. */
    static EncodedBatch batch(int b, int l, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] ids = new long[b * l];
        long[] mask = new long[b * l];
        long[] pos = new long[b * l];
        for (int r = 0; r < b; r++) {
            int pad = r == 1 ? 2 : 0;
            for (int c = 0; c < l; c++) {
                boolean real = c >= pad;
                ids[r * l + c] = real ? 3 + rng.nextInt(397) : 0;
                mask[r * l + c] = real ? 1 : 0;
                pos[r * l + c] = real ? c - pad : 0;
            }
        }
        List<String> names = new java.util.ArrayList<>();
        for (int r = 0; r < b; r++) {
            names.add("q" + r);
        }
        return new EncodedBatch(names, ids, mask, pos, new int[b], b, l, 0);
    }

    /**
     * A new adapter on q_proj and v_proj (r = 4, α = 8) whose parameters are Kaiming A and N(0, 0.1²) B drawn
     * from {@code seed}, so that the LoRA branch changes the logits.
     */
    public LoraAdapter adapter(double dropout, long seed) {
        LoraAdapter a = LoraAdapter.create(model, LoraConfig.builder().rank(4).alpha(8).dropout(dropout)
                .targetModules("q_proj", "v_proj").build(), seed);
        perturb(a, 0.1, seed + 1);
        return a;
    }

    /** Adds N(0, sigma²) noise (float32) to every parameter. */
    @SuppressWarnings("try")
    public static void perturb(LoraAdapter a, double sigma, long seed) {
        try (PointerScope s = new PointerScope()) {
            float[] theta = params(a);
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < theta.length; i++) {
                theta[i] += (float) (sigma * gaussian(rng));
            }
            AdapterTensors.assign(a, Tensors.ofFloats(theta, theta.length));
        }
    }

    static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** The adapter's parameters as float32 values. */
    @SuppressWarnings("try")
    public static float[] params(LoraAdapter a) {
        try (PointerScope s = new PointerScope(); Tensor t = AdapterTensors.flatten(a, ScalarType.Float)) {
            return Tensors.toFloats(t);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
