package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.model.CausalLM.ForwardContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Tensor;

/** Repeats a forward context of B rows M times along the batch, member-major (row m·B + b is row b). */
public final class ContextRepeat {
    private ContextRepeat() {
    }

    /** The context for {@code times}·B rows; tensors are new and belong to the caller's scope. */
    public static ForwardContext repeat(ForwardContext ctx, int times) {
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
