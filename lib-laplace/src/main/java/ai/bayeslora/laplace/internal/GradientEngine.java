package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ContinuationBatch;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Forward passes with the LoRA inputs and outputs captured, and gradients of batch-summed scalars with respect to
 * them. Examples of a batch do not interact (attention and RMSNorm act per row), so the gradient of
 * Σ_n w_n ℓ_n with respect to example n's captured tensors is w_n ∇ℓ_n: one backward pass per label weighting gives
 * every example's gradient (docs/METHODS.md §6).
 *
 * <p>The forward applies the whole adapter without dropout, the LoRA parameters outside the selection detached (the
 * backward stops early, e.g. at lm_head for last-layer Laplace). Neither the model nor the adapter is changed, so
 * engines on one adapter may run in several threads. {@link #close()} frees the capture.
 */
public final class GradientEngine implements AutoCloseable {
    private final AnswerScorer scorer;
    private final LoraAdapter adapter;
    private final List<LoraLayer> selected;
    private final LoraCapture capture;
    private final BlockLayout layout;
    /** The last forward's expansion for multi-token labels, or null (single-token labels). */
    private ContinuationBatch continuation;
    /** The batch the last forward ran on: the caller's, or its expansion. */
    private EncodedBatch captured;

    public GradientEngine(AnswerScorer scorer, LoraAdapter adapter, List<LoraLayer> selected) {
        this.scorer = scorer;
        this.adapter = adapter;
        this.selected = List.copyOf(selected);
        this.layout = BlockLayout.of(this.selected);
        this.capture = LoraCapture.of(adapter, this.selected);
    }

    public BlockLayout layout() {
        return layout;
    }

    public List<LoraLayer> selected() {
        return selected;
    }

    public List<LoraCapture.Recorder> recorders() {
        return capture.recorders();
    }

    public AnswerScorer scorer() {
        return scorer;
    }

    /**
     * Clears the previous capture and runs a forward; the scorer's class logits f(x) [N, C] (the answer-token logits
     * under reduction (a), plus the log-mass of the rest of the vocabulary under (b)).
     */
    public Tensor forward(EncodedBatch batch) {
        capture.clear();
        if (!scorer.singleToken()) {
            // multi-token labels: the forward runs on B·C rows (prompt + label c), docs/METHODS.md §1
            continuation = scorer.continuations(batch);
            captured = continuation.expanded();
            return scorer.classLogits(continuation, capture.binding());
        }
        continuation = null;
        captured = batch;
        return scorer.classLogits(new ModelInput(batch.inputIdsTensor(), batch.attentionMaskTensor(),
                batch.positionIdsTensor()), capture.binding());
    }

    /**
     * The batch the captured tensors of the last forward belong to: the one given to {@link #forward}, or with
     * multi-token labels its expansion to B·C rows ({@link ContinuationBatch}).
     */
    public EncodedBatch capturedBatch() {
        return captured;
    }

    /** The last forward's expansion for multi-token labels, or null. */
    public ContinuationBatch continuation() {
        return continuation;
    }

    /**
     * The example of each captured row, or null when rows are examples (single-token labels).
     *
     * @param sequential decoder-module capture (B·C expanded rows) or lm_head's (read positions)
     */
    public int[] rowExamples(boolean sequential) {
        if (continuation == null) {
            return null;
        }
        return sequential ? continuation.rowExamples() : continuation.readExampleIndices();
    }

    /**
     * Sums per-row quantities of the captured tensors into per-example ones: rows of a decoder module's capture are
     * the B·C expanded rows (C consecutive rows per example), rows of lm_head's are the read positions. The identity
     * for single-token labels.
     *
     * @param perRow [rows, ...]
     * @param sequential whether the rows come from a [N, L, d] capture (decoder modules) or a [N, d] one (lm_head)
     * @return [B, ...]
     */
    public Tensor perExampleSum(Tensor perRow, boolean sequential) {
        if (continuation == null) {
            return perRow;
        }
        long[] shape = ai.bayeslora.core.Tensors.shape(perRow);
        if (sequential) {
            long[] grouped = new long[shape.length + 1];
            grouped[0] = continuation.examples();
            grouped[1] = continuation.classes();
            System.arraycopy(shape, 1, grouped, 2, shape.length - 1);
            return perRow.reshape(grouped).sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        }
        shape[0] = continuation.examples();
        Tensor out = torch.zeros(shape, new org.bytedeco.pytorch.TensorOptions(perRow.scalar_type())
                .device(new org.bytedeco.pytorch.DeviceOptional(perRow.device())));
        return out.index_add(0, continuation.readExamples(perRow.device()), perRow);
    }

    /** Drops the capture of the last forward (call before its scope closes to free memory early). */
    public void forwardDone() {
        capture.clear();
    }

    /**
     * Gradients of {@code scalar} with respect to every recorder's u and v: element i is {∂/∂u_i, ∂/∂v_i}. A module
     * the scalar does not depend on gets zeros.
     */
    public List<Tensor[]> outputGradients(Tensor scalar, boolean retainGraph) {
        List<Tensor> inputs = new ArrayList<>();
        for (LoraCapture.Recorder r : capture.recorders()) {
            inputs.add(r.u());
            inputs.add(r.v());
        }
        TensorVector grads = torch.grad(new TensorVector(scalar), new TensorVector(inputs.toArray(new Tensor[0])),
                new TensorVector(), new BoolOptional(retainGraph), false, true);
        List<Tensor[]> out = new ArrayList<>();
        for (int i = 0; i < capture.recorders().size(); i++) {
            Tensor gu = grads.get(2L * i);
            Tensor gv = grads.get(2L * i + 1);
            out.add(new Tensor[] {gu.defined() ? gu : torch.zeros_like(inputs.get(2 * i)),
                gv.defined() ? gv : torch.zeros_like(inputs.get(2 * i + 1))});
        }
        return out;
    }

    /**
     * Per-example gradients of module i's A and B from its output gradients: ∇A_n = Σ_t gu_{n,t} x_{n,t}ᵀ [N, r, in]
     * and ∇B_n = Σ_t gv_{n,t} u_{n,t}ᵀ [N, rows, r]. Padding positions carry zero gradient (nothing reads them).
     */
    public Tensor[] perExample(int module, Tensor[] grads) {
        LoraCapture.Recorder r = capture.recorders().get(module);
        Tensor x = r.x();
        Tensor u = r.u();
        Tensor gu = grads[0];
        Tensor gv = grads[1];
        if (x.scalar_type().value != gu.scalar_type().value) { // JavaCPP's ScalarType objects compare by value
            // the fit combines the passes' gradients in float64 (Fitter.combine); the capture is in the model dtype
            x = x.to(gu.scalar_type());
            u = u.to(gu.scalar_type());
        }
        if (!r.sequential()) {
            x = x.unsqueeze(1);
            u = u.unsqueeze(1);
            gu = gu.unsqueeze(1);
            gv = gv.unsqueeze(1);
        }
        Tensor ga = torch.bmm(gu.transpose(1, 2), x);
        Tensor gb = torch.bmm(gv.transpose(1, 2), u);
        // multi-token labels: an example's gradient is the sum over its C expanded rows (or its read positions)
        return new Tensor[] {perExampleSum(ga, r.sequential()), perExampleSum(gb, r.sequential())};
    }

    /** Output rows of each block in the last forward (null = all): A blocks all, B blocks the module's rows. */
    public List<long[]> blockRows() {
        List<long[]> rows = new ArrayList<>();
        for (LoraCapture.Recorder r : capture.recorders()) {
            rows.add(null);
            rows.add(r.rows());
        }
        return rows;
    }

    @Override
    public void close() {
        capture.close();
    }
}
