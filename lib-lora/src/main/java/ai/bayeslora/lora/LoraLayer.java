package ai.bayeslora.lora;

import ai.bayeslora.core.model.LinearAdapter;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The LoRA update of one linear layer: {@code y + s · B (A dropout(x))} with A [r, in] and B [out, r] (peft's
 * {@code lora_A} / {@code lora_B}). A and B are trainable leaf tensors owned by the enclosing {@link LoraAdapter}.
 */
public final class LoraLayer implements LinearAdapter {
    private final String moduleName;
    private final Tensor a;
    private final Tensor b;
    private final double scaling;
    private final double dropout;
    private volatile boolean training;

    LoraLayer(String moduleName, Tensor a, Tensor b, double scaling, double dropout) {
        this.moduleName = moduleName;
        this.a = a;
        this.b = b;
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** The adapted module's HF name. */
    public String moduleName() {
        return moduleName;
    }

    /** lora_A [r, in]. */
    public Tensor a() {
        return a;
    }

    /** lora_B [out, r]. */
    public Tensor b() {
        return b;
    }

    public double scaling() {
        return scaling;
    }

    void setTraining(boolean on) {
        this.training = on;
    }

    boolean isTraining() {
        return training;
    }

    @Override
    public Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows) {
        Tensor x = training && dropout > 0 ? torch.dropout(input, dropout, true) : input;
        Tensor bRows = outputRows == null ? b : b.index_select(0, outputRows);
        Tensor delta = torch.linear(torch.linear(x, a), bRows);
        return baseOutput.add(delta, new Scalar(scaling));
    }
}
