package ai.bayeslora.laplace;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.ModelInput;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The slow, independent reference: for one unpadded prompt at a time, the explicit Jacobian J ∈ R^{C×P} of the
 * answer logits with respect to LoRA parameters, one {@code torch.grad} per class with respect to the parameter
 * tensors themselves (no captured activations, no batching), then G = Σ Jᵀ (diag p − p pᵀ) J, Λ = G + λI inverted
 * by LU in EJML (pure Java) — none of the production code paths.
 */
final class DenseOracle {
    private DenseOracle() {
    }

    /** J [C, P] (float64) of a single-prompt batch w.r.t. {@code params} (flattened in order). */
    static Tensor jacobian(TinySetup t, EncodedBatch single, List<Tensor> params) {
        Tensor f = t.scorer.answerLogits(new ModelInput(single.inputIdsTensor(), single.attentionMaskTensor(),
                single.positionIdsTensor()), t.adapter.binding());
        long c = f.size(1);
        Tensor[] rows = new Tensor[(int) c];
        for (int k = 0; k < c; k++) {
            TensorVector g = torch.grad(new TensorVector(f.select(0, 0).select(0, k)),
                    new TensorVector(params.toArray(new Tensor[0])), new TensorVector(), new BoolOptional(true), false,
                    false);
            Tensor[] flat = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                flat[i] = g.get(i).reshape(-1).to(ScalarType.Double);
            }
            rows[k] = torch.cat(new TensorVector(flat), 0);
        }
        return torch.stack(new TensorVector(rows), 0);
    }

    /** Logits f(x) [C] of a single prompt. */
    static double[] logits(TinySetup t, EncodedBatch single) {
        try (PointerScope s = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            return ai.bayeslora.core.Tensors.toDoubles(t.scorer.answerLogits(new ModelInput(single.inputIdsTensor(),
                    single.attentionMaskTensor(), single.positionIdsTensor()), t.adapter.binding()));
        }
    }

    /** H = diag(p) − p pᵀ for logits f [C]. */
    static Tensor hessian(Tensor f) {
        Tensor p = torch.softmax(f.to(ScalarType.Double), 0);
        return torch.diag(p).sub(p.unsqueeze(1).matmul(p.unsqueeze(0)));
    }
}
