package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.laplace.ParameterBlock;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraKernel;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The posterior's parameter vector θ: for each selected LoRA module, A then B, row-major (the layout of
 * {@code LoraAdapter.flatten} restricted to the selection). Block 2i is module i's A, block 2i+1 its B.
 */
public final class BlockLayout {
    private final List<ParameterBlock> blocks;
    private final long size;

    public BlockLayout(List<ParameterBlock> blocks) {
        this.blocks = List.copyOf(blocks);
        long s = 0;
        for (ParameterBlock b : this.blocks) {
            if (b.offset() != s) {
                throw new IllegalArgumentException("block " + b.key() + " at offset " + b.offset() + ", expected " + s);
            }
            s += b.size();
        }
        this.size = s;
    }

    /** The layout of {@code layers} (in order). */
    public static BlockLayout of(List<LoraLayer> layers) {
        List<ParameterBlock> out = new ArrayList<>();
        long off = 0;
        for (LoraLayer l : layers) {
            int r = (int) l.a().size(0);
            int in = (int) l.a().size(1);
            int outF = (int) l.b().size(0);
            out.add(new ParameterBlock(l.moduleName(), ParameterBlock.Matrix.A, r, in, off));
            off += (long) r * in;
            out.add(new ParameterBlock(l.moduleName(), ParameterBlock.Matrix.B, outF, r, off));
            off += (long) outF * r;
        }
        return new BlockLayout(out);
    }

    public List<ParameterBlock> blocks() {
        return blocks;
    }

    /** P, the number of parameters. */
    public long size() {
        return size;
    }

    /** θ of {@code layers} as one new detached float64 vector [P] (caller's scope). */
    public static Tensor flatten(List<LoraLayer> layers) {
        List<Tensor> parts = new ArrayList<>();
        for (LoraLayer l : layers) {
            parts.add(l.a().detach().reshape(-1).to(ScalarType.Double));
            parts.add(l.b().detach().reshape(-1).to(ScalarType.Double));
        }
        return torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    /** Copies θ [P] into the A and B tensors of {@code layers} (no gradient recorded). */
    public void assign(List<LoraLayer> layers, Tensor theta) {
        if (theta.dim() != 1 || theta.size(0) != size) {
            throw new IllegalArgumentException("θ has " + theta.numel() + " entries, the layout " + size);
        }
        try (NativeScope s = NativeScope.open(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            int i = 0;
            for (LoraLayer l : layers) {
                for (Tensor t : new Tensor[] {l.a(), l.b()}) {
                    ParameterBlock b = blocks.get(i++);
                    t.copy_(theta.narrow(0, b.offset(), b.size()).view(b.rows(), b.cols()).to(t.device(), t.scalar_type()));
                }
            }
        }
    }

    /**
     * A binding that applies {@code adapter} with the parameters of {@code layers} replaced by {@code theta} (views
     * into it, in the parameters' dtype and device; nothing is copied into the adapter). The other layers keep their
     * own parameters. No dropout; tensors belong to the caller's scope.
     *
     * @param adapter the adapter
     * @param layers the layers this layout describes, in its order
     * @param theta [P] values of those layers' parameters
     * @return the binding
     */
    public AdapterBinding binding(LoraAdapter adapter, List<LoraLayer> layers, Tensor theta) {
        if (theta.dim() != 1 || theta.size(0) != size) {
            throw new IllegalArgumentException("θ has " + theta.numel() + " entries, the layout " + size);
        }
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        for (LoraLayer l : adapter.layers().values()) {
            kernels.put(l.moduleName(), LoraKernel.of(l));
        }
        int i = 0;
        for (LoraLayer l : layers) {
            Tensor[] ab = new Tensor[2];
            for (int k = 0; k < 2; k++) {
                Tensor like = k == 0 ? l.a() : l.b();
                ParameterBlock b = blocks.get(i++);
                ab[k] = theta.narrow(0, b.offset(), b.size()).view(b.rows(), b.cols()).to(like.device(),
                        like.scalar_type());
            }
            kernels.put(l.moduleName(), LoraKernel.of(l.moduleName(), ab[0], ab[1], l.scaling()));
        }
        return AdapterBinding.of(kernels);
    }

    /**
     * Full-layout rows of per-example block gradients: {@code parts.get(b)} is [N, m_b, cols_b] with m_b the rows in
     * {@code rows.get(b)} (null = all rows). Returns [N, P] (missing rows are zero).
     */
    public Tensor assemble(List<Tensor> parts, List<long[]> rows) {
        List<Tensor> flat = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            flat.add(fullRows(parts.get(b), rows.get(b), blocks.get(b).rows()).reshape(parts.get(b).size(0), -1));
        }
        return torch.cat(new TensorVector(flat.toArray(new Tensor[0])), 1);
    }

    /** [..., m, cols] with rows {@code rows} of {@code total} → [..., total, cols] with zeros elsewhere. */
    public static Tensor fullRows(Tensor part, long[] rows, int total) {
        if (rows == null) {
            return part;
        }
        long[] shape = ai.bayeslora.core.Tensors.shape(part);
        int rowDim = shape.length - 2;
        shape[rowDim] = total;
        Tensor full = torch.zeros(shape, new org.bytedeco.pytorch.TensorOptions(part.scalar_type()).device(
                new org.bytedeco.pytorch.DeviceOptional(part.device())));
        return full.index_copy(rowDim, ai.bayeslora.core.Tensors.ofLongs(rows, rows.length).to(part.device(),
                ScalarType.Long), part);
    }
}
