package ai.bayeslora.uncertainty.metrics.internal;

import java.util.Arrays;
import java.util.Comparator;

/** Orderings used by the ranking and selective-prediction metrics. Scores must not be NaN. */
public final class Ranks {
    private Ranks() {
    }

    /**
     * 1-based ranks of {@code x} in ascending order; equal values (compared with {@code ==}, so −0.0 ties with 0.0)
     * all get the average of the ranks they span (mid-ranks, as in the Mann–Whitney U statistic).
     */
    public static double[] averageRanks(double[] x) {
        Integer[] order = stableOrder(x, false);
        double[] ranks = new double[x.length];
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && x[order[j + 1]] == x[order[i]]) {
                j++;
            }
            // positions i..j (0-based) hold ranks i+1..j+1; their average is (i + j + 2) / 2
            double rank = (i + j + 2) / 2.0;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        return ranks;
    }

    /**
     * Indices of {@code x} sorted ascending or descending; equal values (by {@code ==}) keep their input order
     * (the sort is stable).
     */
    public static Integer[] stableOrder(double[] x, boolean descending) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        Comparator<Integer> ascending = (a, b) -> x[a] == x[b] ? 0 : (x[a] < x[b] ? -1 : 1);
        Arrays.sort(order, descending ? ascending.reversed() : ascending); // object sort: stable (TimSort)
        return order;
    }
}
