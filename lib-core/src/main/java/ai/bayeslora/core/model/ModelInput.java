package ai.bayeslora.core.model;

import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A batch of token ids for {@link CausalLM}: ids [B, L] int64, attention mask [B, L] (1 = real token, 0 = padding),
 * and position ids [B, L]. Batches are left-padded; position ids default to {@code max(cumsum(mask) − 1, 0)}, so a
 * padded row sees the same positions as the unpadded prompt (METHODS.md §1).
 *
 * @param inputIds int64 [B, L]
 * @param attentionMask int64 [B, L]
 * @param positionIds int64 [B, L]
 */
public record ModelInput(Tensor inputIds, Tensor attentionMask, Tensor positionIds) {

    /**
     * Checks that the three tensors are present.
     *
     * @param inputIds int64 [B, L]
     * @param attentionMask int64 [B, L]
     * @param positionIds int64 [B, L]
     */
    public ModelInput {
        Objects.requireNonNull(inputIds, "inputIds");
        Objects.requireNonNull(attentionMask, "attentionMask");
        Objects.requireNonNull(positionIds, "positionIds");
        if (inputIds.dim() != 2) {
            throw new IllegalArgumentException("input_ids must be [batch, length], got " + inputIds.dim() + " dims");
        }
        checkSame("attention_mask", attentionMask, inputIds);
        checkSame("position_ids", positionIds, inputIds);
    }

    /**
     * Unpadded ids: mask of ones, positions 0..L−1.
     *
     * @param inputIds int64 [B, L]
     * @return the input
     */
    public static ModelInput of(Tensor inputIds) {
        return of(inputIds, torch.ones_like(inputIds));
    }

    /**
     * Ids and mask; positions from the mask.
     *
     * @param inputIds int64 [B, L]
     * @param attentionMask int64 [B, L]
     * @return the input
     */
    public static ModelInput of(Tensor inputIds, Tensor attentionMask) {
        return new ModelInput(inputIds, attentionMask, positionsFromMask(attentionMask));
    }

    /**
     * {@code max(cumsum(mask, −1) − 1, 0)} as int64.
     *
     * @param mask attention mask [B, L], 1 = real token
     * @return position ids [B, L]
     */
    public static Tensor positionsFromMask(Tensor mask) {
        return mask.to(ScalarType.Long).cumsum(-1).sub(new Scalar(1)).clamp(new ScalarOptional(new Scalar(0)),
                new ScalarOptional());
    }

    /** {@return the batch size B} */
    public long batchSize() {
        return inputIds.size(0);
    }

    /** {@return the row length L} */
    public long length() {
        return inputIds.size(1);
    }

    private static void checkSame(String what, Tensor t, Tensor ids) {
        if (t.dim() != 2 || t.size(0) != ids.size(0) || t.size(1) != ids.size(1)) {
            throw new IllegalArgumentException(what + " shape must equal input_ids shape [" + ids.size(0) + ", "
                    + ids.size(1) + "]");
        }
    }
}
