package ai.bayeslora.core.data;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Renders an {@link McqaExample} as the prompt whose next token is the answer letter (docs/METHODS.md §1).
 *
 * <p>The default output, as in MMLU's reference evaluation:
 * <pre>
 * The following are multiple choice questions (with answers) about high school physics.   (only with a subject)
 *
 * {question}
 * A. {choice 1}
 * B. {choice 2}
 * Answer:
 * </pre>
 * There is no space after {@code Answer:}; the answer token carries it ({@code " A"}). Every part is configurable:
 * <ul>
 *   <li>header: a format with an optional {@code {subject}} placeholder (underscores shown as spaces). A header that
 *       mentions {@code {subject}} is left out for examples without a subject. {@link Builder#noHeader()} removes it.</li>
 *   <li>question format, with {@code {question}}; default {@code "{question}"}.</li>
 *   <li>choice line format, with {@code {label}} and {@code {choice}}; default {@code "{label}. {choice}"}.</li>
 *   <li>answer cue, default {@code "Answer:"}.</li>
 *   <li>context line, for examples with a passage (BoolQ), before the question; default
 *       {@code "Passage: {context}"}.</li>
 * </ul>
 * Lines are joined with {@code "\n"}. Verbatim examples are returned unchanged. Immutable and thread-safe.
 */
public final class PromptTemplate implements PromptFormat {
    /** The MMLU reference header. */
    public static final String DEFAULT_HEADER =
            "The following are multiple choice questions (with answers) about {subject}.\n\n";
    /** Default question line: the question text alone. */
    public static final String DEFAULT_QUESTION = "{question}";
    /** Default choice line, for example {@code "A. Paris"}. */
    public static final String DEFAULT_CHOICE = "{label}. {choice}";
    /** Default answer cue, the last line of a prompt. */
    public static final String DEFAULT_ANSWER_CUE = "Answer:";
    /** The line before the question of an example with a passage (BoolQ). */
    public static final String DEFAULT_CONTEXT = "Passage: {context}";

    private static final PromptTemplate DEFAULTS = builder().build();

    private final Optional<String> header;
    private final String questionFormat;
    private final String choiceFormat;
    private final String answerCue;
    private final String contextFormat;

    private PromptTemplate(Builder b) {
        this.contextFormat = b.contextFormat;
        this.header = b.header;
        this.questionFormat = b.questionFormat;
        this.choiceFormat = b.choiceFormat;
        this.answerCue = b.answerCue;
    }

    /** {@return the default template: subject header (when the example has a subject), question, choices, "Answer:"} */
    public static PromptTemplate defaults() {
        return DEFAULTS;
    }

    /** {@return a builder starting from the MMLU reference template} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder that starts from this template} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.header = header;
        b.questionFormat = questionFormat;
        b.choiceFormat = choiceFormat;
        b.answerCue = answerCue;
        b.contextFormat = contextFormat;
        return b;
    }

    /** The prompt for {@code example}; a verbatim example's text is returned as is. */
    @Override
    public String render(McqaExample example) {
        if (example.verbatim()) {
            return example.question();
        }
        StringBuilder sb = new StringBuilder();
        header.ifPresent(h -> {
            if (!h.contains("{subject}")) {
                sb.append(h);
            } else {
                example.subject().ifPresent(s -> sb.append(Placeholders.fill(h, Map.of("subject",
                        s.replace('_', ' ')))));
            }
        });
        example.context().ifPresent(c -> sb.append(Placeholders.fill(contextFormat, Map.of("context", c))).append('\n'));
        sb.append(Placeholders.fill(questionFormat, Map.of("question", example.question()))).append('\n');
        for (int i = 0; i < example.choices().size(); i++) {
            sb.append(Placeholders.fill(choiceFormat,
                    Map.of("label", example.labels().get(i), "choice", example.choices().get(i)))).append('\n');
        }
        return sb.append(answerCue).toString();
    }

    /** {@return the header format, if any} */
    public Optional<String> header() {
        return header;
    }

    /** {@return the question line format, with {@code {question}}} */
    public String questionFormat() {
        return questionFormat;
    }

    /** {@return the choice line format, with {@code {label}} and {@code {choice}}} */
    public String choiceFormat() {
        return choiceFormat;
    }

    /** {@return the text after the last choice line} */
    public String answerCue() {
        return answerCue;
    }

    /** Builder of {@link PromptTemplate}; starts from the defaults. */
    public static final class Builder {
        private Optional<String> header = Optional.of(DEFAULT_HEADER);
        private String questionFormat = DEFAULT_QUESTION;
        private String choiceFormat = DEFAULT_CHOICE;
        private String answerCue = DEFAULT_ANSWER_CUE;
        private String contextFormat = DEFAULT_CONTEXT;

        private Builder() {
        }

        /**
         * Sets the line for an example's passage, with {@code {context}}; default {@value #DEFAULT_CONTEXT_DOC}.
         *
         * @param format the line format
         * @return this builder
         */
        public Builder contextFormat(String format) {
            this.contextFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        private static final String DEFAULT_CONTEXT_DOC = DEFAULT_CONTEXT;

        /**
         * Sets the header format; {@code {subject}} is replaced by the subject. Include the blank line you want.
         *
         * @param format the header, for example {@link #DEFAULT_HEADER}
         * @return this builder
         */
        public Builder header(String format) {
            this.header = Optional.of(Objects.requireNonNull(format, "format"));
            return this;
        }

        /**
         * No header.
         *
         * @return this builder
         */
        public Builder noHeader() {
            this.header = Optional.empty();
            return this;
        }

        /**
         * Sets the question line format, with {@code {question}}, for example {@code "Question: {question}"}.
         *
         * @param format the line format
         * @return this builder
         */
        public Builder questionFormat(String format) {
            this.questionFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Sets the choice line format, with {@code {label}} and {@code {choice}}.
         *
         * @param format the line format
         * @return this builder
         */
        public Builder choiceFormat(String format) {
            this.choiceFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * Sets the text after the last choice line, for example {@code "Answer:"}.
         *
         * @param cue the answer cue
         * @return this builder
         */
        public Builder answerCue(String cue) {
            this.answerCue = Objects.requireNonNull(cue, "cue");
            return this;
        }

        /** {@return the template} */
        public PromptTemplate build() {
            return new PromptTemplate(this);
        }
    }
}
