package ai.bayeslora.core.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;

/**
 * A left-padded batch of tokenized prompts, in plain Java arrays (row-major, {@code [batchSize, length]}).
 *
 * <p>With left padding every row's last real token sits at column {@code length - 1}, where the answer logits are
 * read. {@code positionIds = max(cumsum(attentionMask) - 1, 0)} per row, so a padded row sees the same positions as
 * the unpadded prompt (docs/METHODS.md §1).
 *
 * <p>The arrays are shared, not copied: treat them as read-only.
 *
 * <p>Tensors: {@link #inputIdsTensor()} and friends return a new int64 CPU tensor each call, a copy of the array. The
 * caller owns it: inside a {@code PointerScope} it is freed when that scope closes; outside any scope, call
 * {@code close()} on it.
 *
 * @param exampleIds    the ids of the examples, one per row
 * @param inputIds      token ids, {@code [batchSize * length]}, padding = the pad id
 * @param attentionMask 1 for real tokens, 0 for padding, {@code [batchSize * length]}
 * @param positionIds   {@code max(cumsum(mask) - 1, 0)} per row, {@code [batchSize * length]}
 * @param labels        the answer index of each row, -1 if unknown
 * @param batchSize     number of rows B
 * @param length        row length L (the longest row of the batch)
 * @param truncatedRows how many rows lost tokens to left truncation
 * @param classCounts   the number of choices of each row ({@code [batchSize]}), or null when every row has all the
 *                      scorer's classes; a row with fewer is scored over its own choices ({@code ClassMask})
 */
public record EncodedBatch(List<String> exampleIds, long[] inputIds, long[] attentionMask, long[] positionIds,
                           int[] labels, int batchSize, int length, int truncatedRows, int[] classCounts) {

    /**
     * A batch whose rows all have every class.
     *
     * @param exampleIds    the ids of the examples, one per row
     * @param inputIds      token ids
     * @param attentionMask 1 for real tokens, 0 for padding
     * @param positionIds   position ids
     * @param labels        the answer index of each row, -1 if unknown
     * @param batchSize     number of rows B
     * @param length        row length L
     * @param truncatedRows how many rows lost tokens to left truncation
     */
    public EncodedBatch(List<String> exampleIds, long[] inputIds, long[] attentionMask, long[] positionIds,
                        int[] labels, int batchSize, int length, int truncatedRows) {
        this(exampleIds, inputIds, attentionMask, positionIds, labels, batchSize, length, truncatedRows, null);
    }

    /**
     * Checks that every array has the declared shape.
     *
     * @param exampleIds the ids of the examples, one per row
     * @param inputIds token ids, {@code [batchSize * length]}, padding = the pad id
     * @param attentionMask 1 for real tokens, 0 for padding, {@code [batchSize * length]}
     * @param positionIds {@code max(cumsum(mask) - 1, 0)} per row, {@code [batchSize * length]}
     * @param labels the answer index of each row, -1 if unknown
     * @param batchSize number of rows B
     * @param length row length L (the longest row of the batch)
     * @param truncatedRows how many rows lost tokens to left truncation
     * @param classCounts the number of choices of each row ({@code [batchSize]}), or null when every row has all the
     *     scorer's classes; a row with fewer is scored over its own choices ({@code ClassMask})
     */
    public EncodedBatch {
        exampleIds = List.copyOf(exampleIds);
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(positionIds, "positionIds");
        Objects.requireNonNull(labels, "labels");
        long cells = (long) batchSize * length;
        if (batchSize < 1 || length < 1 || inputIds.length != cells || attentionMask.length != cells
                || positionIds.length != cells || labels.length != batchSize || exampleIds.size() != batchSize) {
            throw new IllegalArgumentException("inconsistent batch shape: B=" + batchSize + ", L=" + length);
        }
        if (classCounts != null && classCounts.length != batchSize) {
            throw new IllegalArgumentException("classCounts has " + classCounts.length + " entries for " + batchSize
                    + " rows");
        }
    }

    /**
     * {@return the same batch with every row's number of choices (null: all rows have every class)}
     *
     * @param counts each row's number of choices ({@code [batchSize]}), or null
     */
    public EncodedBatch withClassCounts(int[] counts) {
        return new EncodedBatch(exampleIds, inputIds, attentionMask, positionIds, labels, batchSize, length,
                truncatedRows, counts);
    }

    /**
     * Whether a row has fewer than {@code classes} choices, so that scoring must mask the classes it lacks.
     *
     * @param classes the scorer's number of answer classes
     * @return true if any row's choice count is below {@code classes}
     */
    public boolean hasMissingChoices(int classes) {
        if (classCounts == null) {
            return false;
        }
        for (int k : classCounts) {
            if (k < classes) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the token id at ({@code row}, {@code col})}
     *
     * @param row the row, in [0, batchSize)
     * @param col the column, in [0, length)
     */
    public long inputId(int row, int col) {
        return inputIds[index(row, col)];
    }

    /**
     * {@return the number of real (unpadded) tokens of {@code row}}
     *
     * @param row the row, in [0, batchSize)
     */
    public int realLength(int row) {
        int n = 0;
        for (int c = 0; c < length; c++) {
            n += (int) attentionMask[index(row, c)];
        }
        return n;
    }

    /**
     * {@return the real tokens of {@code row}, padding removed}
     *
     * @param row the row, in [0, batchSize)
     */
    public long[] realTokens(int row) {
        int from = row * length + (length - realLength(row));
        return Arrays.copyOfRange(inputIds, from, (row + 1) * length);
    }

    /**
     * Input ids as a new int64 tensor {@code [B, L]}; see the class comment for ownership.
     *
     * @return {@code [B, L]} int64, CPU
     */
    public Tensor inputIdsTensor() {
        return LongTensors.of(inputIds, batchSize, length);
    }

    /**
     * Attention mask as a new int64 tensor {@code [B, L]}; see the class comment for ownership.
     *
     * @return {@code [B, L]} int64, CPU
     */
    public Tensor attentionMaskTensor() {
        return LongTensors.of(attentionMask, batchSize, length);
    }

    /**
     * Position ids as a new int64 tensor {@code [B, L]}; see the class comment for ownership.
     *
     * @return {@code [B, L]} int64, CPU
     */
    public Tensor positionIdsTensor() {
        return LongTensors.of(positionIds, batchSize, length);
    }

    /**
     * Labels as a new int64 tensor {@code [B]} (-1 where unknown); see the class comment for ownership.
     *
     * @return {@code [B]} int64, CPU
     */
    public Tensor labelsTensor() {
        long[] l = new long[batchSize];
        for (int i = 0; i < batchSize; i++) {
            l[i] = labels[i];
        }
        return LongTensors.of(l, batchSize);
    }

    private int index(int row, int col) {
        Objects.checkIndex(row, batchSize);
        Objects.checkIndex(col, length);
        return row * length + col;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedBatch b && batchSize == b.batchSize && length == b.length
                && truncatedRows == b.truncatedRows && exampleIds.equals(b.exampleIds)
                && Arrays.equals(inputIds, b.inputIds) && Arrays.equals(attentionMask, b.attentionMask)
                && Arrays.equals(positionIds, b.positionIds) && Arrays.equals(labels, b.labels)
                && Arrays.equals(classCounts, b.classCounts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(exampleIds, Arrays.hashCode(inputIds), Arrays.hashCode(attentionMask),
                Arrays.hashCode(labels), batchSize, length);
    }

    @Override
    public String toString() {
        return "EncodedBatch[B=" + batchSize + ", L=" + length + ", truncatedRows=" + truncatedRows + ", ids="
                + exampleIds + "]";
    }
}
