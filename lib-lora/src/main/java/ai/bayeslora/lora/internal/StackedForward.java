package ai.bayeslora.lora.internal;

import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ContinuationBatch;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.CausalLM.ForwardContext;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One forward over a batch of B rows repeated M times member-major (row {@code m·B + b} is row b for member m), with
 * a binding of stacked {@link ai.bayeslora.lora.LoraKernel}s (docs/METHODS.md §4): every base GEMM runs once over
 * the M·B rows. Used by batched ensemble inference and by interleaved training. With a shared prefix of k layers the
 * embedding and layers [0, k) run once for the B rows and their output is repeated M times; when only lm_head is
 * adapted (k = N) even the final norm runs once.
 */
public final class StackedForward {
    private StackedForward() {
    }

    /**
     * The number k of bottom decoder layers no member adapts: the smallest decoder-layer index among all members'
     * adapted module names, or N when only lm_head is adapted (0 for any other module outside the decoder layers).
     *
     * @param numLayers N
     * @param members the adapters
     * @return k
     */
    public static int sharedPrefixLayers(int numLayers, Collection<LoraAdapter> members) {
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

    /**
     * The final-normed last-token hidden states [M·B, H] of a batch repeated {@code members} times member-major.
     * The same operations as {@link CausalLM#lastTokenHidden} otherwise; differentiable. Tensors belong to the
     * caller's scope.
     *
     * @param binding the stacked kernels (they expect M·B rows); layers [0, {@code prefix}) must be unadapted
     * @param prefix layers that run once on the B rows
     */
    public static Tensor lastHidden(CausalLM model, ModelInput input, int members, int prefix, AdapterBinding binding) {
        ForwardContext ctx = model.prepare(input);
        Tensor h = model.runLayers(model.embed(input.inputIds()), ctx, 0, prefix, AdapterBinding.none());
        if (prefix == model.numLayers()) {
            return model.finalNorm(CausalLM.gatherLast(h, ctx.lastIndex())).repeat(members, 1);
        }
        ForwardContext ctxM = repeat(ctx, members);
        Tensor hm = model.runLayers(members == 1 ? h : h.repeat(members, 1, 1), ctxM, prefix, model.numLayers(),
                binding);
        return model.finalNorm(CausalLM.gatherLast(hm, ctxM.lastIndex()));
    }

    /**
     * The decoder output before the final norm, [M·B, L, H], of a batch repeated {@code members} times member-major
     * (for readouts at several positions, such as multi-token labels). Differentiable; tensors belong to the caller's
     * scope.
     *
     * @param binding the stacked kernels (they expect M·B rows); layers [0, {@code prefix}) must be unadapted
     * @param prefix layers that run once on the B rows
     */
    public static Tensor hidden(CausalLM model, ModelInput input, int members, int prefix, AdapterBinding binding) {
        ForwardContext ctx = model.prepare(input);
        Tensor h = model.runLayers(model.embed(input.inputIds()), ctx, 0, prefix, AdapterBinding.none());
        if (prefix == model.numLayers()) {
            return members == 1 ? h : h.repeat(members, 1, 1);
        }
        return model.runLayers(members == 1 ? h : h.repeat(members, 1, 1), repeat(ctx, members), prefix,
                model.numLayers(), binding);
    }

    /**
     * Class log-probabilities [M·B, C] of a stacked forward, whatever the labels: the last-token fast path for
     * single-token labels, the continuation log-likelihoods ({@link ContinuationBatch}) otherwise.
     *
     * @param binding the stacked kernels (they expect M·B rows, or M·B·C for multi-token labels)
     * @param prefix layers that run once on the B rows
     */
    public static Tensor logProbs(CausalLM model, AnswerScorer scorer, ModelInput input, int members, int prefix,
                                  AdapterBinding binding) {
        if (scorer.singleToken()) {
            return scorer.logProbsFromHidden(lastHidden(model, input, members, prefix, binding), binding);
        }
        ContinuationBatch cb = ContinuationBatch.of(input, scorer.answers());
        Tensor h = hidden(model, cb.input(), members, prefix, binding);
        return torch.log_softmax(cb.scores(model, cb.readHidden(model, h, members), binding, members), 1);
    }

    /** The context for {@code times}·B rows; tensors are new and belong to the caller's scope. */
    static ForwardContext repeat(ForwardContext ctx, int times) {
        if (times == 1) {
            return ctx;
        }
        Map<OptionalInt, Tensor> masks = new LinkedHashMap<>();
        for (Map.Entry<OptionalInt, Tensor> e : ctx.masks().entrySet()) {
            Tensor m = e.getValue(); // [B, 1, L, L], or null for plain causal attention
            masks.put(e.getKey(), m == null ? null : m.repeat(times, 1, 1, 1));
        }
        return new ForwardContext(ctx.cos().repeat(times, 1, 1), ctx.sin().repeat(times, 1, 1), masks,
                ctx.lastIndex().repeat(times));
    }
}
