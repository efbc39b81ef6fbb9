package ai.bayeslora.core.model;

import ai.bayeslora.core.Tensors;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Builds the additive attention mask [B, 1, L, L]: 0 where query i may attend key j (j ≤ i, key j is a real token,
 * and i − j &lt; window for sliding layers), the dtype's most negative finite value elsewhere. This is transformers'
 * eager mask: a fully masked (padding) query row then attends uniformly, never producing NaN.
 */
final class AttentionMasks {
    private AttentionMasks() {
    }

    /**
     * @param attentionMask int64 [B, L], 1 for real tokens
     * @param hasPadding whether any entry of the mask is 0
     * @return the additive mask, or null when plain causal attention suffices (no padding, no window in effect)
     */
    static Tensor build(Tensor attentionMask, boolean hasPadding, OptionalInt window, ScalarType dtype) {
        long len = attentionMask.size(1);
        boolean windowActive = window.isPresent() && window.getAsInt() < len;
        if (!hasPadding && !windowActive) {
            return null;
        }
        TensorOptions longOpts = new TensorOptions(ScalarType.Long).device(
                new org.bytedeco.pytorch.DeviceOptional(attentionMask.device()));
        Tensor idx = torch.arange(new Scalar(len), longOpts);
        Tensor qi = idx.unsqueeze(1); // [L, 1]
        Tensor kj = idx.unsqueeze(0); // [1, L]
        Tensor allowed = kj.le(qi); // causal
        if (windowActive) {
            allowed = allowed.logical_and(qi.sub(kj).lt(new Scalar(window.getAsInt())));
        }
        // [B, 1, L, L] = causal/window [L, L] and key is real [B, 1, 1, L]
        Tensor keyReal = attentionMask.ne(new Scalar(0)).unsqueeze(1).unsqueeze(1);
        Tensor all = allowed.unsqueeze(0).unsqueeze(0).logical_and(keyReal);
        Tensor zeros = torch.zeros(new long[] {attentionMask.size(0), 1, len, len},
                new TensorOptions(dtype).device(new org.bytedeco.pytorch.DeviceOptional(attentionMask.device())));
        return zeros.masked_fill(all.logical_not(), new Scalar(Tensors.finfoMin(dtype)));
    }
}
