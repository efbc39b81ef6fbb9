package ai.bayeslora.core.data;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hendrycks' MMLU subject groups, as listed in docs/METHODS.md §1: 18 STEM subjects and 12 social-science subjects;
 * every other subject counts as humanities or other.
 */
public final class MmluGroups {

    /** A group of MMLU subjects. */
    public enum Group {
        /** Science, technology, engineering and mathematics: the 18 subjects of {@link #STEM}. */
        STEM,
        /** The 12 subjects of {@link #SOCIAL_SCIENCES}. */
        SOCIAL_SCIENCES,
        /** Every other subject. */
        HUMANITIES_OR_OTHER
    }

    /** The 18 STEM subjects. */
    public static final List<String> STEM = List.of(
            "abstract_algebra", "astronomy", "college_biology", "college_chemistry", "college_computer_science",
            "college_mathematics", "college_physics", "computer_security", "conceptual_physics",
            "electrical_engineering", "elementary_mathematics", "high_school_biology", "high_school_chemistry",
            "high_school_computer_science", "high_school_mathematics", "high_school_physics",
            "high_school_statistics", "machine_learning");

    /** The 12 social-science subjects. */
    public static final List<String> SOCIAL_SCIENCES = List.of(
            "econometrics", "high_school_geography", "high_school_government_and_politics",
            "high_school_macroeconomics", "high_school_microeconomics", "high_school_psychology", "human_sexuality",
            "professional_psychology", "public_relations", "security_studies", "sociology", "us_foreign_policy");

    private static final Set<String> STEM_SET = Set.copyOf(STEM);
    private static final Set<String> SOCIAL_SET = Set.copyOf(SOCIAL_SCIENCES);

    private MmluGroups() {
    }

    /**
     * {@return the group of {@code subject}} Case and spaces are normalised ({@code "High School Physics"} is {@code
     * high_school_physics}).
     *
     * @param subject an MMLU subject name, for example {@code "college_physics"}
     */
    public static Group group(String subject) {
        String s = normalize(subject);
        if (STEM_SET.contains(s)) {
            return Group.STEM;
        }
        if (SOCIAL_SET.contains(s)) {
            return Group.SOCIAL_SCIENCES;
        }
        return Group.HUMANITIES_OR_OTHER;
    }

    /**
     * Lower case, trimmed, spaces and hyphens as underscores.
     *
     * @param subject a subject name as found in a file or on a command line
     * @return the normalised name, for example {@code high_school_physics}
     */
    public static String normalize(String subject) {
        return subject.trim().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }
}
