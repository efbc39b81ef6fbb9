package ai.bayeslora.lora.train.internal;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training examples: a Fisher–Yates shuffle driven by a
 * {@link SplittableRandom} seeded with a mix of the run's seed and the epoch number. Each epoch's order is a pure
 * function of (seed, epoch), so the data-order RNG state a checkpoint needs is just the seed and the next epoch.
 */
public final class DataOrder {
    private DataOrder() {
    }

    /** The permutation of {@code 0..n-1} for 1-based {@code epoch}. */
    public static int[] permutation(long seed, int epoch, int n) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
