package ai.bayeslora.core.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The prompt formats of the three papers' code, character for character (docs/METHODS.md §8), with the answer tokens
 * each one reads:
 * <ul>
 *   <li>{@link #balabanovCqa()}, LoRA ensembles (Balabanov &amp; Linander 2024): {@code "Q: {question}\nAnswer
 *       Choices:\n(a) {text}\n(b) {text}\n…\nA: ("}, read at the lowercase letter right after {@code "("}: class
 *       labels {@link #lowercase a, b, c…}, answer-token prefix {@value #BALABANOV_ANSWER_PREFIX} (empty).</li>
 *   <li>{@link #yangChoices()}, Laplace-LoRA (Yang et al. 2024; SWAG-LoRA, Onal et al. 2024, uses the same): one
 *       line, {@code "Select one of the choices that answers the following question: {question} Choices: A. {Text}.
 *       B. {Text}. … Answer:"}, each choice capitalised and ended with ".", read at {@code " A"}, {@code " B"}, ….</li>
 *   <li>{@link #yangWinogrande()}: {@code "Select one of the choices that answers the following question:
 *       {sentence} Choices: A. {option1}. B {option2}. Answer:"} (the code's missing "." after B kept).</li>
 *   <li>{@link #yangBoolq()}: {@code "Answer the question with only True or False: {question} Context: {passage}"},
 *       EOS appended and read there; the classes are the words {@code " False"} and {@code " True"} (label the
 *       dataset {@link #BOOLQ_LABELS}).</li>
 * </ul>
 */
public final class PaperPrompts {
    /** The answer-token prefix of {@link #balabanovCqa()}: the letter follows {@code "A: ("} directly. */
    public static final String BALABANOV_ANSWER_PREFIX = "";
    /** BoolQ's classes as {@link #yangBoolq()} reads them (tokens {@code " False"}, {@code " True"}). */
    public static final List<String> BOOLQ_LABELS = List.of("False", "True");
    static final String SELECT = "Select one of the choices that answers the following question: ";

    private PaperPrompts() {
    }

    /** {@return the ensemble paper's CommonsenseQA format (also used for its MMLU OOD sets)} */
    public static PromptFormat balabanovCqa() {
        return new PromptFormat() {
            @Override
            public String render(McqaExample e) {
                StringBuilder sb = new StringBuilder("Q: ").append(e.question()).append("\nAnswer Choices:\n");
                List<String> letters = lowercase(e.choices().size());
                for (int i = 0; i < e.choices().size(); i++) {
                    sb.append('(').append(letters.get(i)).append(") ").append(e.choices().get(i)).append('\n');
                }
                return sb.append("A: (").toString();
            }

            @Override
            public String answerPrefix() {
                return BALABANOV_ANSWER_PREFIX;
            }
        };
    }

    /**
     * Laplace-LoRA's (and SWAG-LoRA's) multiple-choice format for ARC, OpenBookQA and CommonsenseQA.
     *
     * @return the prompt format
     */
    public static PromptFormat yangChoices() {
        return e -> {
            StringBuilder sb = new StringBuilder(SELECT).append(e.question()).append(" Choices:");
            for (int i = 0; i < e.choices().size(); i++) {
                sb.append(' ').append(Letters.first(e.choices().size()).get(i)).append(". ")
                        .append(sentence(e.choices().get(i)));
            }
            return sb.append(" Answer:").toString();
        };
    }

    /**
     * Laplace-LoRA's WinoGrande format.
     *
     * @return the prompt format
     */
    public static PromptFormat yangWinogrande() {
        return e -> SELECT + e.question() + " Choices: A. " + e.choices().get(0) + ". B " + e.choices().get(1)
                + ". Answer:";
    }

    /**
     * Laplace-LoRA's BoolQ format: the passage after the question, EOS appended.
     *
     * @return the prompt format
     */
    public static PromptFormat yangBoolq() {
        return new PromptFormat() {
            @Override
            public String render(McqaExample e) {
                return "Answer the question with only True or False: " + e.question() + " Context: "
                        + e.context().orElse("");
            }

            @Override
            public boolean appendEos() {
                return true;
            }
        };
    }

    /**
     * a, b, c, …: the ensemble paper's class labels.
     *
     * @param n the number of labels
     * @return the first n lowercase letters
     */
    public static List<String> lowercase(int n) {
        List<String> out = new ArrayList<>();
        for (String l : Letters.first(n)) {
            out.add(l.toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** A choice as the Laplace-LoRA code writes it: first letter upper case, a final ".". */
    static String sentence(String choice) {
        if (choice.isEmpty()) {
            return ".";
        }
        return Character.toUpperCase(choice.charAt(0)) + choice.substring(1) + ".";
    }

    /**
     * The prompt formats by name, so that a format can cross a process boundary (a Spark task, a saved run) as a
     * value and be rebuilt there: each constant's {@link #format()} is the format of the factory of the same name.
     */
    public enum Style {
        /** {@link PromptTemplate#defaults()}: the MMLU-style template read at {@code " A"}, {@code " B"}, …. */
        MMLU,
        /** {@link PaperPrompts#balabanovCqa()}. */
        BALABANOV_CQA,
        /** {@link PaperPrompts#yangChoices()}. */
        YANG_CHOICES,
        /** {@link PaperPrompts#yangWinogrande()}. */
        YANG_WINOGRANDE,
        /** {@link PaperPrompts#yangBoolq()}. */
        YANG_BOOLQ;

        /** {@return a new instance of the format this constant names} */
        public PromptFormat format() {
            switch (this) {
                case BALABANOV_CQA: return balabanovCqa();
                case YANG_CHOICES: return yangChoices();
                case YANG_WINOGRANDE: return yangWinogrande();
                case YANG_BOOLQ: return yangBoolq();
                default: return PromptTemplate.defaults();
            }
        }
    }

    /** The protocol names {@link #prepare(String, McqaDataset)} accepts, as the CLI's {@code --prompt} lists them. */
    public static final List<String> PROTOCOLS = List.of("mmlu", "balabanov2024", "yang2024", "onal2024");

    /**
     * A dataset ready for a paper's prompt: relabelled for the answer tokens that prompt reads, its format, and the
     * format's name.
     *
     * @param dataset the relabelled dataset
     * @param format the prompt format
     * @param style the format's name ({@link Style#format()} rebuilds it)
     */
    public record Prepared(McqaDataset dataset, PromptFormat format, Style style) {
        /**
         * Checks the components.
         *
         * @param dataset the relabelled dataset
         * @param format the prompt format
         * @param style the format's name
         */
        public Prepared {
            java.util.Objects.requireNonNull(dataset, "dataset");
            java.util.Objects.requireNonNull(format, "format");
            java.util.Objects.requireNonNull(style, "style");
        }
    }

    /**
     * The setup of a protocol named as the CLI's {@code --prompt}: {@code mmlu} (the dataset as it is, with
     * {@link PromptTemplate#defaults()}), {@code balabanov2024}, {@code yang2024} or {@code onal2024}.
     *
     * @param protocol one of {@link #PROTOCOLS} (case-insensitive)
     * @param d the dataset
     * @return the relabelled dataset, its format and the format's name
     * @throws IllegalArgumentException naming the accepted names, for any other name
     */
    public static Prepared prepare(String protocol, McqaDataset d) {
        switch (protocol.toLowerCase(java.util.Locale.ROOT)) {
            case "mmlu": return new Prepared(d, PromptTemplate.defaults(), Style.MMLU);
            case "balabanov2024": return balabanov2024(d);
            case "yang2024": return yang2024(d);
            case "onal2024": return onal2024(d);
            default:
                throw new IllegalArgumentException("prompt protocol must be one of " + String.join(", ", PROTOCOLS)
                        + ", got " + protocol);
        }
    }

    /**
     * The ensemble paper's setup for any dataset: lowercase labels a, b, … and {@link #balabanovCqa()}.
     *
     * @param d the dataset (its classes are relabelled by position)
     * @return the relabelled dataset and the format
     */
    public static Prepared balabanov2024(McqaDataset d) {
        return new Prepared(d.relabelled(lowercase(d.classLabels().size())), balabanovCqa(), Style.BALABANOV_CQA);
    }

    /**
     * Laplace-LoRA's setup, chosen by the dataset's kind: BoolQ (examples with a passage) gets {@link #yangBoolq()}
     * and the classes False / True; WinoGrande (two options and a blank {@code _} in every sentence) gets
     * {@link #yangWinogrande()}; everything else {@link #yangChoices()} with A, B, ….
     *
     * @param d the dataset (its classes are relabelled by position)
     * @return the relabelled dataset and its prompt format
     */
    public static Prepared yang2024(McqaDataset d) {
        boolean boolq = d.examples().stream().allMatch(e -> e.context().isPresent());
        if (boolq && d.classLabels().size() == 2) {
            return new Prepared(d.relabelled(BOOLQ_LABELS), yangBoolq(), Style.YANG_BOOLQ);
        }
        boolean winogrande = d.classLabels().size() == 2
                && d.examples().stream().allMatch(e -> !e.verbatim() && e.question().contains("_"));
        return winogrande ? new Prepared(d, yangWinogrande(), Style.YANG_WINOGRANDE)
                : new Prepared(d, yangChoices(), Style.YANG_CHOICES);
    }

    /**
     * SWAG-LoRA's setup: the same "Select one of the choices" prompt as Laplace-LoRA's, labels by position.
     *
     * @param d the dataset (its classes are relabelled by position)
     * @return the relabelled dataset and its prompt format
     */
    public static Prepared onal2024(McqaDataset d) {
        return yang2024(d);
    }
}
