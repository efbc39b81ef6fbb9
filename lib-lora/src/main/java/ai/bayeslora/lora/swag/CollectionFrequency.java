package ai.bayeslora.lora.swag;

/**
 * When a {@link SwagCollector} takes a snapshot of θ once collection has started (METHODS.md §5): at the end of every
 * epoch, or every k optimizer steps.
 *
 * @param everySteps k, the number of optimizer steps between snapshots; 0 means at the end of each epoch
 */
public record CollectionFrequency(int everySteps) {
    private static final CollectionFrequency END_OF_EPOCH = new CollectionFrequency(0);

    /**
     * Rejects a negative step count.
     *
     * @param everySteps k, the number of optimizer steps between snapshots; 0 means at the end of each epoch
     */
    public CollectionFrequency {
        if (everySteps < 0) {
            throw new IllegalArgumentException("SWAG collection every k steps needs k >= 1 (or end of epoch), got "
                    + everySteps);
        }
    }

    /** {@return one snapshot at the end of each epoch from the start epoch on (SWAG-LoRA's setting)} */
    public static CollectionFrequency endOfEpoch() {
        return END_OF_EPOCH;
    }

    /**
     * {@return one snapshot every {@code k} optimizer steps, counted from the first step of the start epoch: the k-th,
     * 2k-th, … step of the collection phase}
     *
     * @param k the number of optimizer steps between snapshots, at least 1
     */
    public static CollectionFrequency everySteps(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("SWAG collection every k steps needs k >= 1, got " + k);
        }
        return new CollectionFrequency(k);
    }

    /** {@return whether snapshots are taken at epoch ends} */
    public boolean isEndOfEpoch() {
        return everySteps == 0;
    }

    @Override
    public String toString() {
        return isEndOfEpoch() ? "end of epoch" : "every " + everySteps + " steps";
    }
}
