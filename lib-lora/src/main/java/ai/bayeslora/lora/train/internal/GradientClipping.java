package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import java.util.List;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_}: ‖g‖ = √(Σ_i ‖g_i‖²) over all tensors; if
 * a maximum c is set, every gradient is multiplied by min(1, c / (‖g‖ + 1e-6)).
 */
public final class GradientClipping {
    /** torch's guard against division by zero. */
    static final double EPS = 1e-6;

    private GradientClipping() {
    }

    /**
     * Scales {@code grads} in place when their global norm exceeds {@code maxNorm}.
     *
     * @return the global norm before clipping (NaN or ∞ if a gradient is not finite; nothing is scaled then)
     */
    public static double clip(List<Tensor> grads, OptionalDouble maxNorm) {
        return NativeScope.noGrad(() -> {
            double total = norm(grads).item_double();
            scale(grads, total, maxNorm);
            return total;
        });
    }

    /**
     * The global norm as a 0-dim tensor, without a host synchronisation (the caller reads several at once).
     *
     * @param grads the gradients of one adapter
     * @return ‖(g_1, …, g_n)‖₂, in the caller's scope
     */
    public static Tensor norm(List<Tensor> grads) {
        Tensor[] norms = new Tensor[grads.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = grads.get(i).norm();
        }
        return torch.stack(new TensorVector(norms)).norm();
    }

    /**
     * Scales {@code grads} in place by maxNorm / (total + ε) when that is below 1 (torch's clip_grad_norm_).
     *
     * @param total the global norm from {@link #norm}, finite
     */
    public static void scale(List<Tensor> grads, double total, OptionalDouble maxNorm) {
        if (!Double.isFinite(total) || maxNorm.isEmpty()) {
            return;
        }
        double coef = maxNorm.getAsDouble() / (total + EPS);
        if (coef < 1) {
            Scalar c = new Scalar(coef);
            for (Tensor grad : grads) {
                grad.mul_(c);
            }
        }
    }
}
