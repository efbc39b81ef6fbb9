package ai.bayeslora.lora;

import org.bytedeco.pytorch.Tensor;

/**
 * The LoRA parameters of one linear layer: A [r, in] and B [out, r] (peft's {@code lora_A} / {@code lora_B}), the
 * scale s = α / r and the dropout probability. A and B are trainable leaf tensors owned by the enclosing
 * {@link LoraAdapter}. The update itself, {@code y + s · B (A dropout(x))}, is computed by {@link LoraKernel}.
 */
public final class LoraLayer {
    private final String moduleName;
    private final Tensor a;
    private final Tensor b;
    private final double scaling;
    private final double dropout;

    LoraLayer(String moduleName, Tensor a, Tensor b, double scaling, double dropout) {
        this.moduleName = moduleName;
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** {@return the adapted module's HF name} */
    public String moduleName() {
        return moduleName;
    }

    /**
     * lora_A [r, in].
     *
     * @return A, the live parameter tensor
     */
    public Tensor a() {
        return a;
    }

    /**
     * lora_B [out, r].
     *
     * @return B, the live parameter tensor
     */
    public Tensor b() {
        return b;
    }

    /** {@return the scale s = α / r (or α / √r with rsLoRA)} */
    public double scaling() {
        return scaling;
    }

    /** {@return the LoRA dropout probability on the layer input (applied only by training and MC-dropout kernels)} */
    public double dropout() {
        return dropout;
    }

    /** {@return the rank r} */
    public long rank() {
        return a.size(0);
    }
}
