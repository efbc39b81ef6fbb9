package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.data.McqaFormat;
import ai.bayeslora.core.data.McqaLoadOptions;
import ai.bayeslora.core.data.MmluGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A dataset on the command line: {@code [NAME=]PATH[#SELECTOR]}.
 *
 * <ul>
 *   <li>{@code NAME=} (optional) names the set in tables, figures and the report; default: the file name plus the
 *       selector.</li>
 *   <li>{@code PATH}: any file or folder {@link McqaDatasets#load} reads (CQA JSONL, MMLU CSV file or folder, MMLU HF
 *       JSONL, generic JSONL, and the HF datasets' Parquet files or a folder of one split's Parquet shards). MMLU
 *       folders read {@code *_{split}.csv} with the command's {@code --split}.</li>
 *   <li>{@code #SELECTOR} (optional) keeps MMLU subjects: {@code #stem} (18 STEM subjects), {@code #social}
 *       (12 social-science subjects), {@code #humanities} (every other subject), or a comma-separated subject list
 *       such as {@code #astronomy,virology}; or a deterministic split of any set: {@code #holdout=F} keeps all but a
 *       fraction F, {@code #heldout=F} keeps only that fraction (the two are complementary; examples are ordered by a
 *       hash of their id, so the split does not depend on the file's order). If {@code PATH#...} exists as a file it
 *       is taken literally.</li>
 * </ul>
 */
record DataSpec(String name, Path path, String selector, String text) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Syntax help for option descriptions. */
    static final String SYNTAX = "[NAME=]PATH[#stem|#social|#humanities|#subject1,subject2|#holdout=F|#heldout=F]";

    /** picocli's converter: every data option is typed {@code DataSpec}, so all parse the same syntax. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<DataSpec> {
        @Override
        public DataSpec convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static final Pattern SPLIT = Pattern.compile("(holdout|heldout)=(0?\\.[0-9]+)");

    static DataSpec parse(String text) {
        String name = null;
        String rest = text;
        int eq = text.indexOf('=');
        if (eq > 0 && NAME.matcher(text.substring(0, eq)).matches() && !Files.exists(Path.of(text))) {
            name = text.substring(0, eq);
            rest = text.substring(eq + 1);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "': missing the file or folder (syntax " + SYNTAX + ")");
        }
        String selector = null;
        int hash = rest.lastIndexOf('#');
        if (hash >= 0 && !Files.exists(Path.of(rest))) {
            selector = rest.substring(hash + 1).trim();
            rest = rest.substring(0, hash);
            if (selector.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': empty selector after '#' (use #stem, #social, "
                        + "#humanities or #subject1,subject2)");
            }
        }
        Path path = Path.of(rest);
        if (name == null) {
            String file = path.getFileName() == null ? rest : path.getFileName().toString();
            file = file.replaceFirst("\\.(jsonl|json|csv|parquet)$", "");
            name = selector == null ? file : file + "-" + selector.replace(',', '+');
        }
        return new DataSpec(name, path, selector, text);
    }

    /** The MMLU group a selector names, or null for a subject list. */
    static MmluGroups.Group group(String selector) {
        switch (selector.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "stem": return MmluGroups.Group.STEM;
            case "social": case "social-sciences": return MmluGroups.Group.SOCIAL_SCIENCES;
            case "humanities": case "other": case "humanities-or-other": return MmluGroups.Group.HUMANITIES_OR_OTHER;
            default: return null;
        }
    }

    /**
     * Loads the set, applies the selector and names it {@link #name()}.
     *
     * @param option the option it came from, for messages (e.g. "--eval")
     */
    McqaDataset load(String option, String split) {
        return load(option, McqaLoadOptions.defaults().withSplit(split));
    }

    /** As {@link #load(String, String)} with load options (split, N-choice rows). */
    McqaDataset load(String option, McqaLoadOptions base) {
        return load(option, McqaFormat.AUTO, base);
    }

    /** As {@link #load(String, McqaLoadOptions)} in a given format ({@code --format}; AUTO detects it). */
    McqaDataset load(String option, McqaFormat format, McqaLoadOptions base) {
        if (!Files.exists(path)) {
            throw new BayesLoraException(option + " " + text + ": " + path + " not found (no such file or folder)");
        }
        McqaDataset d;
        java.util.regex.Matcher split = selector == null ? null : SPLIT.matcher(selector.trim());
        if (split != null && split.matches()) {
            double f = Double.parseDouble(split.group(2));
            if (!(f > 0 && f < 1)) {
                throw new BayesLoraException(option + " " + text + ": the fraction after '" + split.group(1)
                        + "=' must lie strictly between 0 and 1");
            }
            d = heldOutSplit(McqaDatasets.load(path, format, base), f, split.group(1).equals("heldout"));
            if (d.examples().isEmpty()) {
                throw new BayesLoraException(option + " " + text + ": the split keeps no example (the set has "
                        + "too few examples for a fraction " + f + ")");
            }
        } else if (selector == null) {
            d = McqaDatasets.load(path, format, base);
        } else {
            MmluGroups.Group g = group(selector);
            if (g != null) {
                d = McqaDatasets.load(path, format, base);
                if (d.subjects().isEmpty()) {
                    throw new BayesLoraException(option + " " + text + ": " + path + " has no subject field, so #"
                            + selector + " cannot select MMLU subjects");
                }
                d = d.inGroup(g);
            } else {
                Set<String> subjects = new LinkedHashSet<>();
                Arrays.stream(selector.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .map(MmluGroups::normalize).forEach(subjects::add);
                d = McqaDatasets.load(path, format, base.withSubjects(subjects));
            }
        }
        return McqaDataset.of(name, d.classLabels(), d.examples());
    }

    /**
     * The held-out part (a fraction f, rounded, at least one example when f·n ≥ 0.5) or the rest, by the order of the
     * SHA-256 of each example id: the same split whatever the file's row order, and complementary between the two.
     */
    static McqaDataset heldOutSplit(McqaDataset d, double fraction, boolean heldOut) {
        List<McqaExample> order = new java.util.ArrayList<>(d.examples());
        java.util.Map<McqaExample, String> keys = new java.util.IdentityHashMap<>();
        for (McqaExample e : order) {
            keys.put(e, sha256(e.id()));
        }
        order.sort(java.util.Comparator.comparing(keys::get));
        int n = (int) Math.round(fraction * order.size());
        Set<McqaExample> chosen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        chosen.addAll(order.subList(0, n));
        return d.filter((heldOut ? "heldout=" : "holdout=") + fraction,
                e -> chosen.contains(e) == heldOut);
    }

    private static String sha256(String s) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #load} and also requires an answer on every example (evaluation and training need labels). */
    McqaDataset loadLabelled(String option, String split, String purpose) {
        return loadLabelled(option, McqaLoadOptions.defaults().withSplit(split), purpose);
    }

    /** As {@link #loadLabelled(String, String, String)} with load options. */
    McqaDataset loadLabelled(String option, McqaLoadOptions base, String purpose) {
        return loadLabelled(option, McqaFormat.AUTO, base, purpose);
    }

    /** As {@link #loadLabelled(String, McqaLoadOptions, String)} in a given format. */
    McqaDataset loadLabelled(String option, McqaFormat format, McqaLoadOptions base, String purpose) {
        McqaDataset d = load(option, format, base);
        for (McqaExample e : d.examples()) {
            if (!e.hasAnswer()) {
                throw new BayesLoraException(option + " " + text + ": example '" + e.id() + "' has no answer; "
                        + purpose + " needs labelled data (e.g. CommonsenseQA validation, not test)");
            }
        }
        return d;
    }
}
