package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraKernel;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * The adapter binding of a fit or a prediction that records the LoRA inputs and outputs of the chosen modules: each
 * chosen module runs a recording {@link LoraKernel} (no dropout)
 *
 * <pre>  u = A x,  v = B_rows u,  y = base + s·v</pre>
 *
 * and keeps x (layer input), u (LoRA bottleneck) and v (LoRA output) of the last forward. Gradients of a scalar with
 * respect to u and v give every per-example LoRA gradient without per-example backward passes:
 * {@code ∂/∂A = Σ_t (∂/∂u_t) x_tᵀ} and {@code ∂/∂B = Σ_t (∂/∂v_t) u_tᵀ} (the scale s sits inside ∂/∂v). The other
 * modules of the adapter run with detached A and B, so the backward stops at the selection (e.g. at lm_head for
 * last-layer Laplace). Nothing is installed in the model or changed in the adapter: one capture per call and thread.
 *
 * <p>Memory: the captured tensors are the ones autograd saves anyway (x for A's gradient, u for B's); the capture
 * takes one extra reference to each, released by {@link #clear()} (call it before the next forward) and
 * {@link #close()}.
 */
public final class LoraCapture implements AutoCloseable {
    private final List<Recorder> recorders;
    private final AdapterBinding binding;
    private final List<Tensor> detached;
    private boolean closed;

    private LoraCapture(List<Recorder> recorders, AdapterBinding binding, List<Tensor> detached) {
        this.recorders = recorders;
        this.binding = binding;
        this.detached = detached;
    }

    /**
     * A capture of {@code selected} (in this order) with the rest of {@code adapter} applied without gradients.
     *
     * @param adapter the adapter whose layers the forward applies
     * @param selected the layers to record, a subset of the adapter's
     * @return the capture; close it
     */
    public static LoraCapture of(LoraAdapter adapter, List<LoraLayer> selected) {
        List<Recorder> rec = new ArrayList<>();
        Map<String, LoraKernel> kernels = new LinkedHashMap<>();
        Set<String> chosen = new HashSet<>();
        for (LoraLayer l : selected) {
            chosen.add(l.moduleName());
        }
        List<Tensor> detached = new ArrayList<>();
        for (LoraLayer l : adapter.layers().values()) {
            if (chosen.contains(l.moduleName())) {
                Recorder r = new Recorder(l);
                rec.add(r);
                kernels.put(l.moduleName(), LoraKernel.recording(l, r));
            } else {
                Tensor a = l.a().detach();
                Tensor b = l.b().detach();
                NativeScope.keep(a);
                NativeScope.keep(b);
                detached.add(a);
                detached.add(b);
                kernels.put(l.moduleName(), LoraKernel.of(l.moduleName(), a, b, l.scaling()));
            }
        }
        // recorders in the order of the selection
        List<Recorder> ordered = new ArrayList<>();
        for (LoraLayer l : selected) {
            for (Recorder r : rec) {
                if (r.layer() == l) {
                    ordered.add(r);
                }
            }
        }
        return new LoraCapture(Collections.unmodifiableList(ordered), AdapterBinding.of(kernels), detached);
    }

    /** The binding to pass to the forward. */
    public AdapterBinding binding() {
        return binding;
    }

    /** One recorder per captured module, in selection order. */
    public List<Recorder> recorders() {
        return recorders;
    }

    /** Drops the references to the tensors of the last forward. */
    public void clear() {
        recorders.forEach(Recorder::clear);
    }

    /** Releases the captured and detached tensors. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clear();
        NativeScope.release(detached);
    }

    /** What one captured module kept of its last forward. */
    public static final class Recorder implements LoraKernel.Recorder {
        private final LoraLayer layer;
        private Tensor x;
        private Tensor u;
        private Tensor v;
        private long[] rows;

        Recorder(LoraLayer layer) {
            this.layer = layer;
        }

        /** The captured module's LoRA layer. */
        public LoraLayer layer() {
            return layer;
        }

        @Override
        public void record(Tensor input, Tensor uu, Tensor vv, Tensor outputRows) {
            if (org.bytedeco.javacpp.PointerScope.getInnerScope() == null) {
                throw new IllegalStateException("a captured forward must run inside a PointerScope");
            }
            if (x != null) {
                throw new IllegalStateException("module " + layer.moduleName() + " ran twice in one captured forward"
                        + " (clear() between forwards)");
            }
            // keep them past the caller's per-layer PointerScope; released in clear()
            NativeScope.keep(input);
            NativeScope.keep(uu);
            NativeScope.keep(vv);
            x = input;
            u = uu;
            v = vv;
            rows = outputRows == null ? null : Tensors.toLongs(outputRows);
        }

        /** Layer input x, [N, L, in] or [N, in] (lm_head reads the last token only). */
        public Tensor x() {
            return require(x);
        }

        /** u = A x, [..., r]. */
        public Tensor u() {
            return require(u);
        }

        /** v = B_rows u, [..., rows]. */
        public Tensor v() {
            return require(v);
        }

        /** The output rows the forward computed (lm_head at the answer tokens), or null for all. */
        public long[] rows() {
            require(x);
            return rows == null ? null : rows.clone();
        }

        /** Whether the input carries a sequence axis ([N, L, in]). */
        public boolean sequential() {
            return require(x).dim() == 3;
        }

        private Tensor require(Tensor t) {
            if (t == null) {
                throw new IllegalStateException("module " + layer.moduleName() + " did not run in the captured forward");
            }
            return t;
        }

        void clear() {
            for (Tensor t : new Tensor[] {x, u, v}) {
                if (t != null) {
                    NativeScope.release(t);
                }
            }
            x = null;
            u = null;
            v = null;
            rows = null;
        }
    }
}
