package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.lora.train.OptimizerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * {@code torch.optim.SGD} with dampening 0 and no weight decay. With momentum μ &gt; 0 the buffer is b₁ = g₁ at the
 * first step and b_t = μ b_{t−1} + g_t afterwards; the step direction is b_t, or g_t + μ b_t with Nesterov; then
 * θ ← θ − lr · direction. With μ = 0, θ ← θ − lr · g.
 */
public final class SgdOptimizer implements ParameterOptimizer {
    private final OptimizerConfig.Sgd config;
    private final List<Tensor> buffers = new ArrayList<>();
    private long steps;

    public SgdOptimizer(OptimizerConfig.Sgd config) {
        this.config = config;
    }

    @Override
    public void step(List<Tensor> params, List<Tensor> grads, double lr) {
        if (params.size() != grads.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
        }
        double mu = config.momentum();
        NativeScope.runNoGrad(() -> {
            Scalar minusLr = new Scalar(-lr);
            Scalar momentum = new Scalar(mu);
            boolean first = buffers.isEmpty();
            for (int i = 0; i < params.size(); i++) {
                Tensor grad = grads.get(i);
                Tensor direction = grad;
                if (mu != 0) {
                    Tensor buf;
                    if (first) {
                        buf = NativeScope.keep(grad.detach().clone()); // lives in the optimizer until close()
                        buffers.add(buf);
                    } else {
                        buf = buffers.get(i);
                        buf.mul_(momentum).add_(grad);
                    }
                    direction = config.nesterov() ? grad.add(buf, momentum) : buf;
                }
                params.get(i).add_(direction, minusLr);
            }
        });
        steps++;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public String type() {
        return "sgd";
    }

    @Override
    public Map<String, Tensor> state(int index) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (!buffers.isEmpty()) {
            m.put("momentum_buffer", buffers.get(index));
        }
        return m;
    }

    @Override
    public void load(long loadedSteps, List<Map<String, Tensor>> state, List<Tensor> params) {
        close();
        if (config.momentum() != 0 && loadedSteps > 0) {
            for (int i = 0; i < params.size(); i++) {
                buffers.add(StateTensors.retainedCopy(state.get(i), "momentum_buffer", params.get(i)));
            }
        }
        this.steps = loadedSteps;
    }

    @Override
    public void close() {
        NativeScope.release(buffers);
        buffers.clear();
    }
}
