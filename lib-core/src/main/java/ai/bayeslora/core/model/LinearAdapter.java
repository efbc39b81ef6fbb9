package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;

/**
 * A trainable change to a frozen {@link LinearLayer}, for example a LoRA update {@code s·B·A·x}. lib-lora implements
 * it; the base model only calls it.
 */
public interface LinearAdapter {
    /**
     * Returns the layer output given the frozen output.
     *
     * @param input the layer input [..., in]
     * @param baseOutput {@code W x + b} for the selected output rows [..., out'] 
     * @param outputRows null for all output features, else an int64 index of the rows that {@code baseOutput} holds
     *                   (lm_head read only at the answer tokens)
     * @return the adapted output, same shape as {@code baseOutput}
     */
    Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows);
}
