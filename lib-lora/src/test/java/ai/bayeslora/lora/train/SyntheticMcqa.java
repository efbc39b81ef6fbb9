package ai.bayeslora.lora.train;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * More questions made with the recipe of the bundled synthetic MCQA file (lib-core's
 * {@code synthetic/generate_synthetic_mcqa.py}): "Question: what the {subject} {verb}?", the subject among four
 * choices with three distinct other subjects as distractors, answer positions balanced.
 */
final class SyntheticMcqa {
    static final List<String> SUBJECTS = List.of("cat", "river", "engine", "violin", "planet", "market", "doctor",
            "garden");
    static final List<String> VERBS = List.of("likes", "moves", "holds", "needs", "finds", "makes");
    static final List<String> LABELS = List.of("A", "B", "C", "D");

    private SyntheticMcqa() {
    }

    /** {@code n} questions from {@code seed}, skipping any whose prompt is in {@code exclude} (question + choices). */
    static McqaDataset generate(int n, long seed, Set<String> exclude) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<McqaExample> out = new ArrayList<>();
        while (out.size() < n) {
            String subject = SUBJECTS.get(rng.nextInt(SUBJECTS.size()));
            String verb = VERBS.get(rng.nextInt(VERBS.size()));
            int position = out.size() % LABELS.size();
            List<String> others = new ArrayList<>(SUBJECTS);
            others.remove(subject);
            for (int i = others.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                others.set(j, others.set(i, others.get(j)));
            }
            List<String> choices = new ArrayList<>(others.subList(0, LABELS.size() - 1));
            choices.add(position, subject);
            String question = "Question: what the " + subject + " " + verb + "?";
            if (exclude.contains(key(question, choices))) {
                continue;
            }
            out.add(McqaExample.of("gen-" + out.size(), question, choices, LABELS, position, null));
        }
        return McqaDataset.of("synthetic-generated(seed " + seed + ")", LABELS, out);
    }

    /** The key {@link #generate} compares against {@code exclude}. */
    static String key(String question, List<String> choices) {
        return question + "|" + String.join("|", choices);
    }
}
