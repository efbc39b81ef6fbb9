package ai.bayeslora.lora.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.lora.LoraAdapter;

/** Shared steps of the sample-based predictives: checks, one forward pass to class probabilities. */
public final class ClassProbabilities {
    private ClassProbabilities() {
    }

    /** Checks that {@code scorer} runs {@code adapter}'s model (otherwise the binding would not fit it). */
    public static void checkModel(LoraAdapter adapter, AnswerScorer scorer) {
        if (scorer.model() != adapter.model()) {
            throw new IllegalArgumentException("the AnswerScorer scores a different CausalLM than the adapter's model");
        }
    }

    /** One forward pass without gradients: p [B, C] row-major, written into {@code out} from {@code offset}. */
    public static void score(AnswerScorer scorer, EncodedBatch batch, AdapterBinding binding, double[] out,
                             int offset) {
        double[] p = NativeScope.noGrad(() -> Tensors.toDoubles(scorer.logProbs(batch, binding).exp()));
        System.arraycopy(p, 0, out, offset, p.length);
    }
}
