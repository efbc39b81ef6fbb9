package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraKernel;
import ai.bayeslora.lora.internal.StackedForward;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * All members in one forward pass (docs/METHODS.md §4, batched evaluation): the batch is stacked member-major to M·B
 * rows, every base GEMM runs once over them and each adapted layer applies the members' LoRA updates with one stacked
 * {@link LoraKernel} ({@link StackedForward}).
 */
public final class BatchedForward {
    private final CausalLM model;
    private final AnswerScorer scorer;
    private final List<LoraAdapter> members;
    private final int prefix;

    /**
     * @param sharePrefix whether to run the unadapted bottom layers once ({@link StackedForward#sharedPrefixLayers})
     */
    public BatchedForward(CausalLM model, AnswerScorer scorer, List<LoraAdapter> members, boolean sharePrefix) {
        this.model = model;
        this.scorer = scorer;
        this.members = List.copyOf(members);
        this.prefix = sharePrefix ? StackedForward.sharedPrefixLayers(model.numLayers(), members) : 0;
    }

    /** The shared prefix in use (0 when sharing is off). */
    public int prefixLayers() {
        return prefix;
    }

    /**
     * Class log-probabilities for a batch of B rows, without gradients.
     *
     * @return [M, B, C'] row-major
     */
    public double[] logProbs(ModelInput input) {
        return NativeScope.compute(() -> {
            AdapterBinding binding = stacked();
            // [M·B, C'] = [M, B, C']
            return Tensors.toDoubles(StackedForward.logProbs(model, scorer, input, members.size(), prefix, binding));
        });
    }

    /** One stacked kernel per module any member adapts, in model order. Created in the caller's scope. */
    private AdapterBinding stacked() {
        Set<String> modules = new LinkedHashSet<>();
        for (String name : model.linearLayers().keySet()) {
            for (LoraAdapter a : members) {
                if (a.layers().containsKey(name)) {
                    modules.add(name);
                }
            }
        }
        Map<String, LoraKernel> out = new LinkedHashMap<>();
        for (String name : modules) {
            List<LoraLayer> perMember = new ArrayList<>();
            for (LoraAdapter a : members) {
                perMember.add(a.layers().get(name)); // null where the member does not adapt it: zero slot
            }
            out.put(name, LoraKernel.stackedForInference(name, perMember));
        }
        return AdapterBinding.of(out);
    }
}
