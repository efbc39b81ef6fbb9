package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.CausalLM.ForwardContext;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.lora.ensemble.StackedLoraLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * All members in one forward pass (METHODS.md §4, batched evaluation): the batch is stacked member-major to M·B rows,
 * every base GEMM runs once over them and each adapted layer applies the members' LoRA updates with a
 * {@link StackedLoraLayer}. With a shared prefix of k layers, embedding and layers [0, k) run once for the B rows and
 * their output is repeated M times; when only lm_head is adapted (k = N) even the final norm runs once.
 */
public final class BatchedForward {
    private final CausalLM model;
    private final AnswerScorer scorer;
    private final List<LoraAdapter> members;
    private final int prefix;

    /**
     * @param sharePrefix whether to run the unadapted bottom layers once ({@link #sharedPrefixLayers})
     */
    public BatchedForward(CausalLM model, AnswerScorer scorer, List<LoraAdapter> members, boolean sharePrefix) {
        this.model = model;
        this.scorer = scorer;
        this.members = List.copyOf(members);
        this.prefix = sharePrefix ? sharedPrefixLayers(model.numLayers(), members) : 0;
    }

    /**
     * The number k of bottom decoder layers no member adapts: the smallest decoder-layer index among all members'
     * adapted module names, or N when only lm_head is adapted. A module outside the decoder layers other than
     * lm_head (none exist today) would give 0.
     */
    public static int sharedPrefixLayers(int numLayers, List<LoraAdapter> members) {
        int k = numLayers;
        for (LoraAdapter a : members) {
            for (String name : a.layers().keySet()) {
                Optional<Integer> layer = LoraConfig.layerIndex(name);
                if (layer.isPresent()) {
                    k = Math.min(k, layer.get());
                } else if (!name.equals("lm_head")) {
                    return 0;
                }
            }
        }
        return k;
    }

    /** The shared prefix in use (0 when sharing is off). */
    public int prefixLayers() {
        return prefix;
    }

    /** Class log-probabilities [M, B, C'] row-major, for a batch of B rows. */
    @SuppressWarnings("try")
    public double[] logProbs(ModelInput input) {
        int m = members.size();
        try (PointerScope scope = new PointerScope(); AdapterSwap swap = AdapterSwap.clearAll(model)) {
            stacked().forEach((name, layer) -> model.linear(name).setAdapter(layer));
            Tensor hidden = lastHidden(model, input, m, prefix);
            return Tensors.toDoubles(scorer.logProbsFromHidden(hidden)); // [M·B, C'] = [M, B, C']
        }
    }

    /**
     * The final-normed last-token hidden states [M·B, H] of a batch of B rows repeated {@code members} times
     * member-major, with whatever adapters are installed on the model (stacked ones expect M·B rows). Layers
     * [0, {@code prefix}) must carry no adapter: they run once on the B rows and their output is repeated. The same
     * operations as {@link CausalLM#lastTokenHidden} otherwise; differentiable. Tensors belong to the caller's scope.
     */
    public static Tensor lastHidden(CausalLM model, ModelInput input, int members, int prefix) {
        ForwardContext ctx = model.prepare(input);
        Tensor h = model.runLayers(model.embed(input.inputIds()), ctx, 0, prefix); // B rows, no member adapts these
        if (prefix == model.numLayers()) {
            return model.finalNorm(CausalLM.gatherLast(h, ctx.lastIndex())).repeat(members, 1);
        }
        ForwardContext ctxM = ContextRepeat.repeat(ctx, members);
        Tensor hm = model.runLayers(members == 1 ? h : h.repeat(members, 1, 1), ctxM, prefix, model.numLayers());
        return model.finalNorm(CausalLM.gatherLast(hm, ctxM.lastIndex()));
    }

    /** One stacked layer per module any member adapts, in model order. Created in the caller's scope. */
    private Map<String, StackedLoraLayer> stacked() {
        Set<String> modules = new LinkedHashSet<>();
        for (String name : model.linearLayers().keySet()) {
            for (LoraAdapter a : members) {
                if (a.layers().containsKey(name)) {
                    modules.add(name);
                }
            }
        }
        Map<String, StackedLoraLayer> out = new LinkedHashMap<>();
        for (String name : modules) {
            List<LoraLayer> perMember = new ArrayList<>();
            for (LoraAdapter a : members) {
                perMember.add(a.layers().get(name)); // null where the member does not adapt it: zero slot
            }
            out.put(name, StackedLoraLayer.stack(name, perMember));
        }
        return out;
    }
}
