package ai.bayeslora.core.testing;

/** Distances between two computations of the same vector, for tests. */
public final class Differences {
    private Differences() {
    }

    /**
     * max |aᵢ − bᵢ| / max |bᵢ|: the largest deviation relative to the reference's scale.
     *
     * @param a the vector under test
     * @param b the reference (same length)
     * @return the relative deviation
     */
    public static double maxRelative(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        }
        double d = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return d / scale;
    }
}
