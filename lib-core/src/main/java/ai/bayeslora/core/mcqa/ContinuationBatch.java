package ai.bayeslora.core.mcqa;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A batch of B prompts expanded for multi-token verbalizers (docs/METHODS.md §1, verbalizers): row {@code b·C + c} is
 * prompt b followed by the tokens of class c's label, left-padded as every batch is. Class c's score for prompt b is
 * the continuation's log-likelihood g_{b,c} = Σ_j log p(t_{c,j} | prompt_b, t_{c,&lt;j}), read from the hidden states
 * at the positions just before each continuation token, through the full-vocabulary softmax. softmax(g) over the C
 * classes is then the class probability; with single-token labels it equals the answer-token softmax of reduction (a),
 * because the shared normaliser log Σ_v exp f_v cancels.
 *
 * <p>Immutable. Tensors are created in the caller's scope.
 */
public final class ContinuationBatch {
    private final EncodedBatch expanded;
    private final int examples;
    private final int classes;
    private final long[] readPositions;
    private final long[] targets;
    private final long[] readRows;

    private ContinuationBatch(EncodedBatch expanded, int examples, int classes, long[] readPositions, long[] targets,
                              long[] readRows) {
        this.expanded = expanded;
        this.examples = examples;
        this.classes = classes;
        this.readPositions = readPositions;
        this.targets = targets;
        this.readRows = readRows;
    }

    /**
     * Expands an encoded batch: each prompt's real tokens (and positions) followed by each class's label tokens.
     *
     * @param batch the prompts, B rows
     * @param answers the classes' token sequences
     * @return B·C rows; labels and example ids follow the prompt they come from
     */
    public static ContinuationBatch of(EncodedBatch batch, AnswerTokens answers) {
        Objects.requireNonNull(answers, "answers");
        int b = batch.batchSize();
        int l = batch.length();
        List<long[]> tokens = new ArrayList<>(b);
        List<long[]> positions = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            int n = batch.realLength(r);
            tokens.add(batch.realTokens(r));
            long[] pos = new long[n];
            System.arraycopy(batch.positionIds(), r * l + (l - n), pos, 0, n);
            positions.add(pos);
        }
        return build(tokens, positions, batch.exampleIds(), batch.labels(), batch.truncatedRows(), answers);
    }

    /**
     * Expands a model input (its tensors are read back to the host; the mask selects each row's real tokens).
     *
     * @param input the prompts, B rows
     * @param answers the classes' token sequences
     * @return B·C rows
     */
    public static ContinuationBatch of(ModelInput input, AnswerTokens answers) {
        int b = (int) input.batchSize();
        int l = (int) input.length();
        long[] ids = Tensors.toLongs(input.inputIds().to(ScalarType.Long));
        long[] mask = Tensors.toLongs(input.attentionMask().to(ScalarType.Long));
        long[] pos = Tensors.toLongs(input.positionIds().to(ScalarType.Long));
        List<long[]> tokens = new ArrayList<>(b);
        List<long[]> positions = new ArrayList<>(b);
        List<String> exampleIds = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            int n = 0;
            for (int c = 0; c < l; c++) {
                n += mask[r * l + c] != 0 ? 1 : 0;
            }
            if (n == 0) {
                throw new IllegalArgumentException("a row of attention_mask has no real token");
            }
            long[] t = new long[n];
            long[] p = new long[n];
            int k = 0;
            for (int c = 0; c < l; c++) {
                if (mask[r * l + c] != 0) {
                    t[k] = ids[r * l + c];
                    p[k++] = pos[r * l + c];
                }
            }
            tokens.add(t);
            positions.add(p);
            exampleIds.add(Integer.toString(r));
        }
        int[] labels = new int[b];
        java.util.Arrays.fill(labels, -1);
        return build(tokens, positions, exampleIds, labels, 0, answers);
    }

    private static ContinuationBatch build(List<long[]> tokens, List<long[]> positions, List<String> exampleIds,
                                           int[] labels, int truncated, AnswerTokens answers) {
        int b = tokens.size();
        int c = answers.numClasses();
        int rows = b * c;
        int len = 0;
        int reads = 0;
        for (long[] t : tokens) {
            for (int k = 0; k < c; k++) {
                int kk = answers.sequence(k).length;
                len = Math.max(len, t.length + kk);
                reads += kk;
            }
        }
        long[] ids = new long[rows * len];
        long[] mask = new long[rows * len];
        long[] pos = new long[rows * len];
        int[] rowLabels = new int[rows];
        List<String> rowIds = new ArrayList<>(rows);
        long[] readPositions = new long[reads];
        long[] targets = new long[reads];
        long[] readRows = new long[reads];
        int read = 0;
        for (int e = 0; e < b; e++) {
            long[] t = tokens.get(e);
            long[] p = positions.get(e);
            for (int k = 0; k < c; k++) {
                long[] cont = answers.sequence(k);
                int row = e * c + k;
                int real = t.length + cont.length;
                int start = row * len + (len - real); // left padding: real tokens end at column len - 1
                long next = p[p.length - 1] + 1;
                for (int j = 0; j < real; j++) {
                    ids[start + j] = j < t.length ? t[j] : cont[j - t.length];
                    pos[start + j] = j < t.length ? p[j] : next + (j - t.length);
                    mask[start + j] = 1;
                }
                // hidden state at column (len - |cont| - 1 + j) predicts continuation token j
                for (int j = 0; j < cont.length; j++) {
                    readPositions[read] = (long) row * len + (len - cont.length - 1 + j);
                    targets[read] = cont[j];
                    readRows[read] = row;
                    read++;
                }
                rowLabels[row] = labels[e];
                rowIds.add(exampleIds.get(e) + "#" + answers.labels().get(k));
            }
        }
        EncodedBatch expanded = new EncodedBatch(rowIds, ids, mask, pos, rowLabels, rows, len, truncated * c);
        return new ContinuationBatch(expanded, b, c, readPositions, targets, readRows);
    }

    /** {@return the expanded batch: B·C left-padded rows, row {@code b·C + c} = prompt b + label c} */
    public EncodedBatch expanded() {
        return expanded;
    }

    /** {@return the expanded batch as a model input (new CPU tensors)} */
    public ModelInput input() {
        return new ModelInput(expanded.inputIdsTensor(), expanded.attentionMaskTensor(), expanded.positionIdsTensor());
    }

    /** {@return the number of prompts B} */
    public int examples() {
        return examples;
    }

    /** {@return the number of classes C (rows per prompt)} */
    public int classes() {
        return classes;
    }

    /** {@return the number of read positions: Σ_b Σ_c |label c|} */
    public int reads() {
        return targets.length;
    }

    /** {@return the prompt of each expanded row: {@code row / C}} */
    public int[] rowExamples() {
        int[] out = new int[examples * classes];
        for (int i = 0; i < out.length; i++) {
            out[i] = i / classes;
        }
        return out;
    }

    /** {@return the prompt of each read position, in read order} */
    public int[] readExampleIndices() {
        int[] out = new int[readRows.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (readRows[i] / classes);
        }
        return out;
    }

    /**
     * The prompt each read position belongs to, for summing per-position quantities per example.
     *
     * @param device where the index tensor goes
     * @return [reads()] indices in [0, B), as a new int64 tensor on {@code device}
     */
    public Tensor readExamples(org.bytedeco.pytorch.Device device) {
        long[] ex = java.util.Arrays.stream(readExampleIndices()).asLongStream().toArray();
        return Tensors.ofLongs(ex, ex.length).to(device, ScalarType.Long);
    }

    /**
     * The final-normed hidden states at the read positions, in read order, for {@code copies} member-major copies of
     * the expanded batch (copy m's rows are {@code m·B·C + row}).
     *
     * @param model the model (its final norm)
     * @param hidden decoder output before the final norm, [copies·B·C, L, H]
     * @param copies how many stacked copies {@code hidden} holds (1 for a plain forward)
     * @return [copies·reads(), H]
     */
    public Tensor readHidden(CausalLM model, Tensor hidden, int copies) {
        long rowsTimesLen = (long) expanded.batchSize() * expanded.length();
        long[] index = new long[copies * readPositions.length];
        for (int m = 0; m < copies; m++) {
            for (int i = 0; i < readPositions.length; i++) {
                index[m * readPositions.length + i] = m * rowsTimesLen + readPositions[i];
            }
        }
        Tensor idx = Tensors.ofLongs(index, index.length).to(hidden.device(), ScalarType.Long);
        Tensor flat = hidden.reshape(hidden.size(0) * hidden.size(1), hidden.size(2));
        // RMSNorm acts per position, so normalising only the read rows equals normalising all of them
        return model.finalNorm(flat.index_select(0, idx));
    }

    /**
     * Class scores g [copies·B, C]: each continuation's summed token log-probabilities, in the accumulation dtype
     * (float32, float64 in float64 mode), from the read positions' hidden states.
     *
     * @param model the model (lm_head, its dtype)
     * @param readHidden {@link #readHidden}'s result, [copies·reads(), H]
     * @param binding the adapters of this call (lm_head's is used)
     * @param copies stacked copies
     * @return [copies·B, C], differentiable
     */
    public Tensor scores(CausalLM model, Tensor readHidden, AdapterBinding binding, int copies) {
        ScalarType acc = model.device().dtype().accumulation().scalarType();
        Tensor logp = torch.log_softmax(model.headAtLastToken(readHidden, null, binding).to(acc), 1); // [n, V]
        long[] tgt = new long[copies * targets.length];
        long[] seg = new long[copies * targets.length];
        int rows = examples * classes;
        for (int m = 0; m < copies; m++) {
            for (int i = 0; i < targets.length; i++) {
                tgt[m * targets.length + i] = targets[i];
                seg[m * targets.length + i] = (long) m * rows + readRows[i];
            }
        }
        org.bytedeco.pytorch.Device dev = readHidden.device();
        Tensor picked = logp.gather(1, Tensors.ofLongs(tgt, tgt.length, 1).to(dev, ScalarType.Long)).reshape(-1);
        Tensor sums = torch.zeros(new long[] {(long) copies * rows},
                new org.bytedeco.pytorch.TensorOptions(acc).device(new org.bytedeco.pytorch.DeviceOptional(dev)));
        return sums.index_add(0, Tensors.ofLongs(seg, seg.length).to(dev, ScalarType.Long), picked)
                .view((long) copies * examples, classes);
    }

    /**
     * Class scores of a plain (unstacked) forward of the expanded batch.
     *
     * @param model the model
     * @param binding the adapters of this call
     * @return [B, C], differentiable
     */
    public Tensor scores(CausalLM model, AdapterBinding binding) {
        ModelInput in = input();
        CausalLM.ForwardContext ctx = model.prepare(in);
        Tensor h = model.runLayers(model.embed(in.inputIds()), ctx, 0, model.numLayers(), binding);
        return scores(model, readHidden(model, h, 1), binding, 1);
    }
}
