package ai.bayeslora.lora;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.LinearAdapter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The one LoRA kernel: the low-rank update of one linear layer for one adapter or for M adapters stacked along the
 * batch (docs/METHODS.md §2, §4):
 *
 * <pre>  y_m = base_m + s_m · B_m A_m drop(x_m),   m = 0 … M−1</pre>
 *
 * where row {@code m·N + n} of the input belongs to member m (member-major). Mixed precision as peft: the branch runs
 * in the parameters' dtype (float32 on a bf16 base) on the input cast to it, and base + delta is formed in that dtype
 * and rounded once to the base's dtype. M = 1 is a single adapter (two plain
 * matmuls, peft's arithmetic); M &gt; 1 is LoRA-Ensemble's batched form (two batched matmuls over [M, r, in] and
 * [M, out, r] stacks), used for ensemble inference and interleaved training alike. With gradients or without (stacks
 * of the live parameters are part of the autograd graph), with LoRA dropout from per-member generators, and, for
 * Laplace, recording the layer input x, the bottleneck u = A x and the update v = B u of the last forward
 * ({@link Recorder}). Merging uses {@link #deltaWeight()}.
 *
 * <p>A kernel is made per call (it refers to adapter tensors, it does not copy them, except a padded stack of
 * heterogeneous members) and bound to its module through an {@link ai.bayeslora.core.model.AdapterBinding}; the
 * base model never holds it.
 */
public final class LoraKernel implements LinearAdapter {
    private final String module;
    private final int members;
    private final Tensor a;
    private final Tensor b;
    private final double alpha;
    private final double dropout;
    private final List<Generator> generators;
    private final Recorder recorder;

    private LoraKernel(String module, int members, Tensor a, Tensor b, double alpha, double dropout,
                       List<Generator> generators, Recorder recorder) {
        this.module = module;
        this.members = members;
        this.a = a;
        this.b = b;
        this.alpha = alpha;
        this.dropout = dropout;
        this.generators = generators;
        this.recorder = recorder;
    }

    /**
     * One adapter's update without dropout (evaluation).
     *
     * @param layer the adapter's parameters for this module
     * @return the kernel
     */
    public static LoraKernel of(LoraLayer layer) {
        return new LoraKernel(layer.moduleName(), 1, layer.a(), layer.b(), layer.scaling(), 0, null, null);
    }

    /**
     * One adapter's update with LoRA dropout (training or MC dropout).
     *
     * @param layer the adapter's parameters for this module
     * @param generator the generator the dropout masks are drawn from, on its own device: a generator on the model's
     *     device draws masks in place; a CPU generator's masks are moved to the model's device
     * @return the kernel; without dropout if the layer's probability is 0
     */
    public static LoraKernel withDropout(LoraLayer layer, Generator generator) {
        Objects.requireNonNull(generator, "generator");
        return layer.dropout() > 0 ? new LoraKernel(layer.moduleName(), 1, layer.a(), layer.b(), layer.scaling(),
                layer.dropout(), List.of(generator), null) : of(layer);
    }

    /**
     * One adapter's update given explicit A [r, in] and B [out, r] (for example views into a sampled parameter
     * vector), without dropout.
     *
     * @param module HF module name
     * @param a lora_A [r, in]
     * @param b lora_B [out, r]
     * @param scaling s = α / r
     * @return the kernel
     */
    public static LoraKernel of(String module, Tensor a, Tensor b, double scaling) {
        return new LoraKernel(module, 1, a, b, scaling, 0, null, null);
    }

    /**
     * One adapter's update that records x, u and v of its forward (Laplace's curvature and Jacobians).
     *
     * @param layer the adapter's parameters for this module
     * @param recorder where the tensors go
     * @return the kernel
     */
    public static LoraKernel recording(LoraLayer layer, Recorder recorder) {
        return new LoraKernel(layer.moduleName(), 1, layer.a(), layer.b(), layer.scaling(), 0, null,
                Objects.requireNonNull(recorder, "recorder"));
    }

    /**
     * M members' updates of one module for inference: A and B are copied into zero-padded stacks [M, r_max, in] and
     * [M, out, r_max] (a member that does not adapt the module, or has a smaller rank, adds exactly 0). Equal scales
     * are applied as one factor; different ones are folded into B. The stacks are detached copies created in the
     * caller's scope.
     *
     * @param module HF module name
     * @param perMember one layer per member, in member order; null where a member does not adapt the module
     * @return the kernel
     * @throws IllegalArgumentException if no member adapts the module or the members' shapes disagree
     */
    public static LoraKernel stackedForInference(String module, List<LoraLayer> perMember) {
        LoraLayer first = perMember.stream().filter(Objects::nonNull).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no member adapts " + module));
        if (perMember.size() == 1) {
            return of(first);
        }
        long in = first.a().size(1);
        long out = first.b().size(0);
        long rMax = 0;
        boolean sameScale = true;
        for (LoraLayer l : perMember) {
            if (l == null) {
                continue;
            }
            if (l.a().size(1) != in || l.b().size(0) != out) {
                throw new IllegalArgumentException(module + ": members disagree on the layer shape ("
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
        return new LoraKernel(module, m, a, b, sameScale ? first.scaling() : 1.0, 0, null, null);
    }

    /**
     * M members' updates of one module for training: {@code torch.stack} of the members' live A and B, so one
     * backward through Σ_m loss_m gives each member's parameters its own gradient (rows of different members never
     * mix). All members must share one layout (rank, shapes, scale, dropout).
     *
     * @param module HF module name
     * @param perMember one layer per member, in member order
     * @param generators per member the generator of its dropout masks, or null for no dropout
     * @return the kernel (M = 1: the single-adapter kernel)
     * @throws IllegalArgumentException if a member lacks the module or the layouts differ
     */
    public static LoraKernel stackedForTraining(String module, List<LoraLayer> perMember, List<Generator> generators) {
        LoraLayer first = perMember.get(0);
        if (generators != null && generators.size() != perMember.size()) {
            throw new IllegalArgumentException(generators.size() + " dropout generators for " + perMember.size()
                    + " members");
        }
        if (perMember.size() == 1) {
            return generators == null ? of(first) : withDropout(first, generators.get(0));
        }
        Tensor[] as = new Tensor[perMember.size()];
        Tensor[] bs = new Tensor[perMember.size()];
        for (int m = 0; m < as.length; m++) {
            LoraLayer l = perMember.get(m);
            if (l == null || l.scaling() != first.scaling() || l.dropout() != first.dropout()
                    || !Arrays.equals(Tensors.shape(l.a()), Tensors.shape(first.a()))
                    || !Arrays.equals(Tensors.shape(l.b()), Tensors.shape(first.b()))) {
                throw new IllegalArgumentException(module + ": member " + m + " does not share member 0's LoRA "
                        + "layout; stacked training needs members made from one LoraConfig");
            }
            as[m] = l.a();
            bs[m] = l.b();
        }
        double p = generators == null ? 0 : first.dropout();
        return new LoraKernel(module, as.length, torch.stack(new TensorVector(as)), torch.stack(new TensorVector(bs)),
                first.scaling(), p, p > 0 ? List.copyOf(generators) : null, null);
    }

    /** {@return the adapted module's HF name} */
    public String module() {
        return module;
    }

    /** {@return the number of stacked members M (1 for a single adapter)} */
    public int members() {
        return members;
    }

    /**
     * {@code base + s · B A drop(x)}, per member on its rows.
     *
     * @param input [M·N, …, in], member-major
     * @param baseOutput {@code W x + b} at the computed output features [M·N, …, out']
     * @param outputRows null for all output features, else the int64 rows {@code baseOutput} holds
     */
    @Override
    public Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows) {
        ScalarType own = a.scalar_type();
        boolean mixed = input.scalar_type().value != own.value;
        Tensor in = mixed ? input.to(own) : input;
        Tensor base = mixed ? baseOutput.to(own) : baseOutput;
        Tensor y = members == 1 ? single(in, base, outputRows) : stacked(in, base, outputRows);
        return mixed ? y.to(baseOutput.scalar_type()) : y;
    }

    private Tensor single(Tensor input, Tensor baseOutput, Tensor outputRows) {
        Tensor x = dropout > 0 ? drop(input, generators.get(0)) : input;
        Tensor bRows = outputRows == null ? b : b.index_select(0, outputRows);
        Tensor u = torch.linear(x, a);
        Tensor v = torch.linear(u, bRows);
        if (recorder != null) {
            recorder.record(x, u, v, outputRows);
        }
        return baseOutput.add(v, new Scalar(alpha));
    }

    private Tensor stacked(Tensor input, Tensor baseOutput, Tensor outputRows) {
        long rows = input.size(0);
        if (rows % members != 0) {
            throw new IllegalStateException(module + ": stacked LoRA of " + members + " members got a batch of "
                    + rows + " rows; expected M·B rows stacked member-major");
        }
        Tensor x = dropout > 0 ? dropPerMember(input, rows / members) : input;
        long in = input.size(-1);
        Tensor xa = torch.bmm(x.reshape(members, -1, in), a.transpose(1, 2)); // [M, N, r]
        Tensor bm = outputRows == null ? b : b.index_select(1, outputRows); // [M, out', r]
        long outRows = baseOutput.size(-1);
        Tensor y = torch.baddbmm(baseOutput.reshape(members, -1, outRows), xa, bm.transpose(1, 2), new Scalar(1.0),
                new Scalar(alpha));
        return y.reshape(Tensors.shape(baseOutput));
    }

    /**
     * The update as a weight, {@code ΔW = s·B·A} [out, in] (single adapter), detached; for merged copies.
     *
     * @return ΔW in the parameters' dtype, in the caller's scope
     */
    public Tensor deltaWeight() {
        if (members != 1) {
            throw new IllegalStateException(module + ": a stacked kernel of " + members + " members has no single ΔW");
        }
        try (NoGradGuard g = new NoGradGuard()) {
            return b.detach().matmul(a.detach()).mul(new Scalar(alpha));
        }
    }

    /**
     * Inverted dropout: x · mask / (1 − p) with mask ~ Bernoulli(1 − p) drawn from {@code generator}, on the generator's
     * device (a CPU generator's masks are moved to x's device: the same masks on every device).
     */
    private Tensor drop(Tensor x, Generator generator) {
        boolean onCpu = generator.device().is_cpu();
        TensorOptions opts = new TensorOptions(x.scalar_type());
        if (!onCpu) {
            opts = opts.device(new DeviceOptional(x.device()));
        }
        Tensor mask = torch.empty(Tensors.shape(x), opts, null).bernoulli_(1 - dropout, new GeneratorOptional(generator));
        mask = mask.div_(new Scalar(1 - dropout));
        return x.mul(onCpu && !x.device().is_cpu() ? mask.to(x.device(), x.scalar_type()) : mask);
    }

    /** Dropout on each member's rows [N, …, in] (the shape a lone member sees) from that member's generator. */
    private Tensor dropPerMember(Tensor input, long perMember) {
        List<Tensor> parts = new ArrayList<>(members);
        for (int m = 0; m < members; m++) {
            parts.add(drop(input.narrow(0, m * perMember, perMember), generators.get(m)));
        }
        return torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
    }

    /**
     * What a recording kernel keeps of its last forward: the layer input x, u = A x and v = B_rows u. Gradients of a
     * scalar with respect to u and v give every per-example LoRA gradient without per-example backward passes:
     * {@code ∂/∂A = Σ_t (∂/∂u_t) x_tᵀ} and {@code ∂/∂B = Σ_t (∂/∂v_t) u_tᵀ} (docs/LAPLACE.md). Per call and per
     * thread: make one for each forward.
     */
    public interface Recorder {
        /**
         * Called once per forward of the module.
         *
         * @param x the layer input [..., in]
         * @param u A x [..., r]
         * @param v B_rows u [..., out']
         * @param outputRows the computed output rows, or null for all
         */
        void record(Tensor x, Tensor u, Tensor v, Tensor outputRows);
    }
}
