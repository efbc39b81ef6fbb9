package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.lora.train.OptimizerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code torch.optim.AdamW} (amsgrad off) in tensor ops. At step t (1-based), per parameter θ with gradient g:
 * <pre>
 *   θ ← θ · (1 − lr·wd)                       decoupled weight decay
 *   m ← m + (1 − β1)(g − m)                   = β1 m + (1 − β1) g, as torch's lerp_
 *   v ← β2 v + (1 − β2) g²
 *   θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * m and v start at zero, in the parameter's dtype and device.
 */
public final class AdamWOptimizer implements ParameterOptimizer {
    private final OptimizerConfig.AdamW config;
    private final List<Tensor> expAvg = new ArrayList<>();
    private final List<Tensor> expAvgSq = new ArrayList<>();
    private long steps;

    public AdamWOptimizer(OptimizerConfig.AdamW config) {
        this.config = config;
    }

    @Override
    public void step(List<Tensor> params, List<Tensor> grads, double lr) {
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
        }
        if (expAvg.isEmpty()) {
            for (Tensor p : params) {
                expAvg.add(retainedZeros(p));
                expAvgSq.add(retainedZeros(p));
            }
        } else if (expAvg.size() != params.size()) {
            throw new IllegalArgumentException("optimizer state is for " + expAvg.size() + " parameters, got "
                    + params.size());
        }
        steps++;
        double bc1 = 1 - Math.pow(config.beta1(), steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(config.beta2(), steps));
        NativeScope.runNoGrad(() -> {
            Scalar decay = new Scalar(1 - lr * config.weightDecay());
            Scalar oneMinusBeta1 = new Scalar(1 - config.beta1());
            Scalar beta2 = new Scalar(config.beta2());
            Scalar oneMinusBeta2 = new Scalar(1 - config.beta2());
            Scalar bc2 = new Scalar(bc2Sqrt);
            Scalar eps = new Scalar(config.eps());
            Scalar stepSize = new Scalar(-lr / bc1);
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor grad = grads.get(i);
                if (config.weightDecay() != 0) {
                    p.mul_(decay);
                }
                expAvg.get(i).lerp_(grad, oneMinusBeta1);
                expAvgSq.get(i).mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
                Tensor denom = expAvgSq.get(i).sqrt().div_(bc2).add_(eps);
                p.addcdiv_(expAvg.get(i), denom, stepSize);
            }
        });
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public String type() {
        return "adamw";
    }

    @Override
    public Map<String, Tensor> state(int index) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (!expAvg.isEmpty()) {
            m.put("exp_avg", expAvg.get(index));
            m.put("exp_avg_sq", expAvgSq.get(index));
        }
        return m;
    }

    @Override
    public void load(long loadedSteps, List<Map<String, Tensor>> state, List<Tensor> params) {
        close();
        for (int i = 0; i < params.size(); i++) {
            expAvg.add(StateTensors.retainedCopy(state.get(i), "exp_avg", params.get(i)));
            expAvgSq.add(StateTensors.retainedCopy(state.get(i), "exp_avg_sq", params.get(i)));
        }
        this.steps = loadedSteps;
    }

    @Override
    public void close() {
        NativeScope.release(expAvg);
        NativeScope.release(expAvgSq);
        expAvg.clear();
        expAvgSq.clear();
    }

    /** Zeros like {@code like}, kept past every scope for this optimizer ({@link NativeScope#keep}). */
    static Tensor retainedZeros(Tensor like) {
        return NativeScope.noGrad(() -> NativeScope.keep(torch.zeros_like(like.detach())));
    }
}
