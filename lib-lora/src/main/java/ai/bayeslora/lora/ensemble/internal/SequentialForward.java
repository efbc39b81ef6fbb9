package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.lora.LoraAdapter;
import java.util.List;

/**
 * Members one after another, as peft evaluates them: score the batch with member m's binding, for each m. Each member
 * runs in its own scope, so peak memory is that of a single model.
 */
public final class SequentialForward {
    private final CausalLM model;
    private final AnswerScorer scorer;
    private final List<LoraAdapter> members;

    public SequentialForward(CausalLM model, AnswerScorer scorer, List<LoraAdapter> members) {
        this.model = model;
        this.scorer = scorer;
        this.members = List.copyOf(members);
    }

    /** Class log-probabilities [M, B, C'] row-major. */
    public double[] logProbs(ModelInput input) {
        double[] out = null;
        for (int m = 0; m < members.size(); m++) {
            LoraAdapter member = members.get(m);
            double[] lp = NativeScope.compute(() -> Tensors.toDoubles(scorer.logProbs(input, member.binding())));
            if (out == null) {
                out = new double[members.size() * lp.length];
            }
            System.arraycopy(lp, 0, out, m * lp.length, lp.length);
        }
        return out;
    }
}
