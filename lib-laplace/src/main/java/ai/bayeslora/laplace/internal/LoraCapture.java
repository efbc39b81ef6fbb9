package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.core.model.LinearLayer;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Replaces the {@link LoraLayer}s of chosen modules by recording adapters for the duration of a fit or a prediction,
 * and restores them on {@link #close()}. The recording adapter computes exactly what {@link LoraLayer} computes in
 * evaluation mode (no dropout):
 *
 * <pre>  u = A x,  v = B_rows u,  y = base + s·v</pre>
 *
 * and keeps x (layer input), u (LoRA bottleneck) and v (LoRA output) of the last forward. Gradients of a scalar with
 * respect to u and v give every per-example LoRA gradient without per-example backward passes:
 * {@code ∂/∂A = Σ_t (∂/∂u_t) x_tᵀ} and {@code ∂/∂B = Σ_t (∂/∂v_t) u_tᵀ} (the scale s sits inside ∂/∂v).
 *
 * <p>Memory: the captured tensors are the ones autograd saves anyway (x for A's gradient, u for B's); the capture
 * takes one extra reference to each, released by {@link #clear()} (call it before the next forward) and
 * {@link #close()}.
 */
public final class LoraCapture implements AutoCloseable {
    private final CausalLM model;
    private final List<Recorder> recorders;
    private final List<LinearAdapter> previous;
    private boolean closed;

    private LoraCapture(CausalLM model, List<Recorder> recorders, List<LinearAdapter> previous) {
        this.model = model;
        this.recorders = recorders;
        this.previous = previous;
    }

    /** Installs recorders on the linear layers of {@code layers} (in this order). */
    public static LoraCapture install(CausalLM model, List<LoraLayer> layers) {
        List<Recorder> rec = new ArrayList<>();
        List<LinearAdapter> prev = new ArrayList<>();
        for (LoraLayer l : layers) {
            LinearLayer lin = model.linear(l.moduleName());
            prev.add(lin.adapter());
            Recorder r = new Recorder(l);
            rec.add(r);
            lin.setAdapter(r);
        }
        return new LoraCapture(model, Collections.unmodifiableList(rec), prev);
    }

    /** One recorder per captured module, in installation order. */
    public List<Recorder> recorders() {
        return recorders;
    }

    /** Drops the references to the tensors of the last forward. */
    public void clear() {
        recorders.forEach(Recorder::clear);
    }

    /** Restores the adapters that were installed before. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clear();
        for (int i = 0; i < recorders.size(); i++) {
            model.linear(recorders.get(i).layer().moduleName()).setAdapter(previous.get(i));
        }
    }

    /** The recording adapter of one LoRA module. */
    public static final class Recorder implements LinearAdapter {
        private final LoraLayer layer;
        private Tensor x;
        private Tensor u;
        private Tensor v;
        private long[] rows;

        Recorder(LoraLayer layer) {
            this.layer = layer;
        }

        public LoraLayer layer() {
            return layer;
        }

        @Override
        public Tensor forward(Tensor input, Tensor baseOutput, Tensor outputRows) {
            if (org.bytedeco.javacpp.PointerScope.getInnerScope() == null) {
                throw new IllegalStateException("a captured forward must run inside a PointerScope");
            }
            if (x != null) {
                throw new IllegalStateException("module " + layer.moduleName() + " ran twice in one captured forward"
                        + " (clear() between forwards)");
            }
            Tensor bRows = outputRows == null ? layer.b() : layer.b().index_select(0, outputRows);
            Tensor uu = torch.linear(input, layer.a());
            Tensor vv = torch.linear(uu, bRows);
            Tensor y = baseOutput.add(vv, new Scalar(layer.scaling()));
            // keep them past the caller's per-layer PointerScope; released in clear()
            input.retainReference();
            uu.retainReference();
            vv.retainReference();
            x = input;
            u = uu;
            v = vv;
            rows = outputRows == null ? null : Tensors.toLongs(outputRows);
            return y;
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
                    t.releaseReference();
                }
            }
            x = null;
            u = null;
            v = null;
            rows = null;
        }
    }
}
