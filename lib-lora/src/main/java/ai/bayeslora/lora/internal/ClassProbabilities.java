package ai.bayeslora.lora.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/** Shared steps of the sample-based predictives: checks, class labels, one forward pass to class probabilities. */
public final class ClassProbabilities {
    private ClassProbabilities() {
    }

    /**
     * Checks that {@code scorer} runs {@code adapter}'s model and that the adapter is attached to it (otherwise the
     * samples would not change the predictions).
     */
    public static void checkBinding(LoraAdapter adapter, AnswerScorer scorer) {
        if (scorer.model() != adapter.model()) {
            throw new IllegalArgumentException("the AnswerScorer scores a different CausalLM than the adapter's model");
        }
        for (LoraLayer l : adapter.layers().values()) {
            if (adapter.model().linear(l.moduleName()).adapter() != l) {
                throw new IllegalStateException("the adapter is not attached to its model (module " + l.moduleName()
                        + "); call attach() before predicting");
            }
        }
    }

    /** The predictive's class labels: the answer letters, plus "other" under the full-vocabulary reduction. */
    public static List<String> labels(AnswerScorer scorer) {
        List<String> labels = new ArrayList<>(scorer.answers().labels());
        if (scorer.reduction() == ClassReduction.FULL_VOCAB_WITH_OTHER) {
            labels.add("other");
        }
        return List.copyOf(labels);
    }

    /** One forward pass without gradients: p [B, C] row-major, written into {@code out} from {@code offset}. */
    @SuppressWarnings("try")
    public static void score(AnswerScorer scorer, EncodedBatch batch, double[] out, int offset) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            double[] p = Tensors.toDoubles(scorer.logProbs(batch).exp());
            System.arraycopy(p, 0, out, offset, p.length);
        }
    }
}
