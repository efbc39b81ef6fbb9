package ai.bayeslora.lora.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * An adapter's parameters as one flat vector θ [P]: A then B per module in model order, each row-major
 * ({@link LoraAdapter#parameters()} order). The library's tensor path; users reach it through
 * {@code lora.interop.AdapterTensors} or the array forms of {@link LoraAdapter}.
 */
public final class ParameterVectors {
    private ParameterVectors() {
    }

    /**
     * All parameters concatenated into one new detached vector in {@code dtype} on the adapter's device. The caller
     * owns it: it is attached to no scope ({@link NativeScope#keep}), so the caller must close it.
     */
    public static Tensor flatten(LoraAdapter adapter, ScalarType dtype) {
        return NativeScope.compute(() -> {
            List<Tensor> flat = new ArrayList<>();
            for (Tensor t : adapter.parameters()) {
                flat.add(t.detach().reshape(-1).to(dtype));
            }
            return NativeScope.keep(torch.cat(new TensorVector(flat.toArray(new Tensor[0])), 0));
        });
    }

    /** Copies θ [P] (any floating dtype, any device) into the parameters, without recording gradients. */
    public static void assign(LoraAdapter adapter, Tensor flat) {
        long p = adapter.parameterCount();
        if (flat.dim() != 1 || flat.size(0) != p) {
            throw new IllegalArgumentException("flat parameter vector has shape " + Tensors.shapeText(Tensors.shape(flat))
                    + " but the adapter has " + p + " parameters");
        }
        NativeScope.runNoGrad(() -> {
            long offset = 0;
            for (Tensor t : adapter.parameters()) {
                long n = t.numel();
                t.copy_(flat.narrow(0, offset, n).view(Tensors.shape(t)).to(t.device(), t.scalar_type()));
                offset += n;
            }
        });
    }
}
