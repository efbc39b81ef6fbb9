package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.data.PromptTemplate;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --prompt}: how questions become prompts and which tokens answer them (docs/METHODS.md §8). {@code mmlu} is
 * the MMLU-style template read at " A", " B", …; the papers' names select their own formats and class labels.
 */
final class PromptOption {
    static final String NAMES = "mmlu|balabanov2024|yang2024|onal2024";

    @Option(names = "--prompt", paramLabel = NAMES, description = {"Prompt format: mmlu (question, 'A. text' lines, "
        + "'Answer:'), balabanov2024 ('Q: ... Answer Choices: (a) ... A: (', lowercase letters), yang2024 or onal2024 "
        + "('Select one of the choices that answers the following question: ...'; BoolQ: 'Answer the question with only "
        + "True or False: ...' read at False/True). Default: mmlu, or the --preset's paper."})
    String prompt;

    /** The chosen format's name, or {@code fallback} when none was given. */
    String name(String fallback) {
        String n = (prompt == null ? fallback : prompt).toLowerCase(Locale.ROOT);
        switch (n) {
            case "mmlu": case "balabanov2024": case "yang2024": case "onal2024":
                return n;
            default:
                throw new IllegalArgumentException("--prompt must be one of " + NAMES.replace('|', ',') + ", got "
                        + prompt);
        }
    }

    /** The dataset relabelled for the named format's answer tokens, with the format. */
    static PaperPrompts.Prepared prepare(String name, McqaDataset d) {
        return PaperPrompts.prepare(name, d);
    }
}
