package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The LoRA updates of M ensemble members for one linear layer, applied to a batch stacked member-major along the
 * batch dimension (row {@code m·B + b} belongs to member m): {@code y_m = W x_m + s_m · B_m A_m x_m} for all m in
 * two batched matmuls (LoRA-Ensemble, METHODS.md §4). The base GEMM {@code W x} has already run once over all M·B
 * rows; this adds the per-member low-rank terms.
 *
 * <p>A is stacked as [M, r, in] and B as [M, out, r]. Members that do not adapt this module, or use a smaller rank,
 * are zero-padded: a zero slot adds exactly 0. When the members' scales differ they are folded into B; otherwise the
 * common scale is applied as {@code baddbmm}'s alpha, which is the same arithmetic as {@link LoraLayer}.
 *
 * <p>Inference only: no dropout, no gradients (the stacks are detached copies). The stacks are created in the
 * caller's {@link org.bytedeco.javacpp.PointerScope} and live as long as it.
 */
public final class StackedLoraLayer implements LinearAdapter {
    private final String moduleName;
    private final int members;
    private final Tensor a;
    private final Tensor b;
    private final double alpha;

    private StackedLoraLayer(String moduleName, int members, Tensor a, Tensor b, double alpha) {
        this.moduleName = moduleName;
        this.members = members;
        this.a = a;
        this.b = b;
        this.alpha = alpha;
    }

    /**
     * Stacks the members' layers of one module.
     *
     * @param moduleName the HF module name, for messages
     * @param perMember one entry per member, in member order; null where a member does not adapt the module
     * @throws IllegalArgumentException if no member adapts the module or the members' shapes disagree
     */
    public static StackedLoraLayer stack(String moduleName, List<LoraLayer> perMember) {
        Objects.requireNonNull(moduleName, "moduleName");
        LoraLayer first = perMember.stream().filter(Objects::nonNull).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no member adapts " + moduleName));
        long in = first.a().size(1);
        long out = first.b().size(0);
        long rMax = 0;
        boolean sameScale = true;
        for (LoraLayer l : perMember) {
            if (l == null) {
                continue;
            }
            if (l.a().size(1) != in || l.b().size(0) != out) {
                throw new IllegalArgumentException(moduleName + ": members disagree on the layer shape ("
                        + Tensors.shapeText(Tensors.shape(l.b())) + "·" + Tensors.shapeText(Tensors.shape(l.a()))
                        + " vs [" + out + ", r]·[r, " + in + "])");
            }
            rMax = Math.max(rMax, l.a().size(0));
            sameScale &= l.scaling() == first.scaling();
        }
        int m = perMember.size();
        TensorOptions opts = new TensorOptions(first.a().scalar_type()).device(new DeviceOptional(first.a().device()));
        Tensor a = torch.zeros(new long[] {m, rMax, in}, opts);
        Tensor b = torch.zeros(new long[] {m, out, rMax}, opts);
        try (NoGradGuard g = new NoGradGuard()) {
            for (int i = 0; i < m; i++) {
                LoraLayer l = perMember.get(i);
                if (l == null) {
                    continue;
                }
                long r = l.a().size(0);
                a.select(0, i).narrow(0, 0, r).copy_(l.a().detach());
                Tensor bi = b.select(0, i).narrow(1, 0, r);
                bi.copy_(l.b().detach());
                if (!sameScale) {
                    bi.mul_(new Scalar(l.scaling())); // per-member scale folded into B
                }
            }
        }
        return new StackedLoraLayer(moduleName, m, a, b, sameScale ? first.scaling() : 1.0);
    }

    /** The adapted module's HF name. */
    public String moduleName() {
        return moduleName;
    }

    /** Number of stacked members M. */
    public int members() {
        return members;
    }

    /**
     * @param input [M·B, …, in], member-major
     * @param baseOutput [M·B, …, out'] where out' is all features or {@code outputRows}
     * @param outputRows null, or the int64 output features {@code baseOutput} holds (lm_head at the answer tokens)
     */
    @Override
    public Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows) {
        long rows = input.size(0);
        if (rows % members != 0) {
            throw new IllegalStateException(moduleName + ": stacked LoRA of " + members + " members got a batch of "
                    + rows + " rows; expected M·B rows stacked member-major");
        }
        long in = input.size(-1);
        Tensor x = input.reshape(members, -1, in); // [M, N, in], N = B·(positions)
        Tensor xa = torch.bmm(x, a.transpose(1, 2)); // [M, N, r]
        Tensor bm = outputRows == null ? b : b.index_select(1, outputRows); // [M, out', r]
        long outRows = baseOutput.size(-1);
        Tensor y = torch.baddbmm(baseOutput.reshape(members, -1, outRows), xa, bm.transpose(1, 2), new Scalar(1.0),
                new Scalar(alpha));
        return y.reshape(Tensors.shape(baseOutput));
    }
}
