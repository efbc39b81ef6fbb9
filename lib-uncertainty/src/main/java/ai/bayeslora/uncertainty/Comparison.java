package ai.bayeslora.uncertainty;

import java.util.List;
import java.util.Locale;

/** Several posteriors evaluated on the same data, side by side. Immutable. */
public final class Comparison {
    /** One posterior's evaluation, with its OOD report if OOD data was given. */
    public record Entry(EvaluationReport evaluation, OodReport ood) {
    }

    private final List<Entry> entries;

    Comparison(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** {@return one entry per posterior, in the order evaluated} */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * {@return a text table: accuracy, NLL, ECE (with its bin count in the header), Brier, mean entropy, mean MI, AURC
     * and, with OOD data, AUROC of predictive entropy and of mutual information; a footer line says how members were
     * averaged (docs/METHODS.md §4, "Averaging members")}
     */
    public String table() {
        int bins = entries.get(0).evaluation().metrics().eceBins();
        boolean ood = entries.get(0).ood() != null;
        StringBuilder sb = new StringBuilder();
        int width = 24;
        for (Entry e : entries) {
            width = Math.max(width, e.evaluation().posterior().length());
        }
        String name = "%-" + width + "s";
        sb.append(String.format(Locale.ROOT, name + " %8s %8s %9s %8s %8s %8s %8s", "posterior", "acc", "NLL",
                "ECE(" + bins + ")", "Brier", "H", "MI", "AURC"));
        if (ood) {
            sb.append(String.format(Locale.ROOT, " %10s %10s", "OOD-AUC(H)", "OOD-AUC(MI)"));
        }
        sb.append('\n');
        for (Entry e : entries) {
            var m = e.evaluation().metrics();
            sb.append(String.format(Locale.ROOT, name + " %8.4f %8.4f %9.4f %8.4f %8.4f %8.4f %8.4f",
                    e.evaluation().posterior(), m.accuracy(), m.nll(), m.ece(), m.brier(), m.meanPredictiveEntropy(),
                    m.meanMutualInformation(), e.evaluation().selectivePrediction().aurc()));
            if (ood) {
                sb.append(String.format(Locale.ROOT, " %10.4f %10.4f", e.ood().auroc(DetectionScore.PREDICTIVE_ENTROPY),
                        e.ood().auroc(DetectionScore.MUTUAL_INFORMATION)));
            }
            sb.append('\n');
        }
        sb.append(footer(entries.stream().map(e -> e.evaluation().prediction().averaging()).distinct().toList()));
        return sb.toString();
    }

    /** The averaging footer of {@link #table()}: one line naming the averaging of every row. */
    static String footer(List<MemberAveraging> used) {
        StringBuilder sb = new StringBuilder("averaging: ");
        sb.append(String.join(", ", used.stream().map(MemberAveraging::cliName).toList()));
        if (used.contains(MemberAveraging.LOGITS)) {
            sb.append(" (logits: p = softmax(mean of the samples' logits); H is its entropy, MI the samples' mutual "
                    + "information, so H != E[H] + MI)");
        } else {
            sb.append(" (p = mean of the samples' probabilities)");
        }
        return sb.append('\n').toString();
    }
}
