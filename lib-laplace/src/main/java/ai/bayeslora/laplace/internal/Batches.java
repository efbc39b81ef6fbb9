package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.Arrays;

/** Row slices of left-padded batches. */
public final class Batches {
    private Batches() {
    }

    /**
     * Rows [from, to) of {@code batch}, with the columns that are padding in every kept row removed (left padding:
     * the leading ones). Position ids are unchanged, so each row computes exactly what it did in the whole batch.
     */
    public static EncodedBatch slice(EncodedBatch batch, int from, int to) {
        if (from == 0 && to == batch.batchSize()) {
            return batch;
        }
        int len = batch.length();
        int keep = 0;
        for (int r = from; r < to; r++) {
            keep = Math.max(keep, batch.realLength(r));
        }
        int drop = len - keep;
        int rows = to - from;
        long[] ids = new long[rows * keep];
        long[] mask = new long[rows * keep];
        long[] pos = new long[rows * keep];
        for (int r = 0; r < rows; r++) {
            int src = (from + r) * len + drop;
            System.arraycopy(batch.inputIds(), src, ids, r * keep, keep);
            System.arraycopy(batch.attentionMask(), src, mask, r * keep, keep);
            System.arraycopy(batch.positionIds(), src, pos, r * keep, keep);
        }
        int truncated = 0; // per-row truncation is not tracked; the parent batch reported it
        return new EncodedBatch(batch.exampleIds().subList(from, to), ids, mask, pos,
                Arrays.copyOfRange(batch.labels(), from, to), rows, keep, truncated,
                batch.classCounts() == null ? null : Arrays.copyOfRange(batch.classCounts(), from, to));
    }
}
