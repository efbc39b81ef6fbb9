package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Walks picocli's model of every command and subcommand (docs/GUIDE.md, "Command line"): every visible option has a
 * description, every command a one-line header that is a whole sentence, descriptions are whole sentences per line
 * (picocli breaks the line after each element), help adapts to the terminal width, and citations of the docs are
 * ones a user can resolve ("docs/METHODS.md §8").
 */
class HelpConsistencyTest {
    /** Ends a sentence (possibly inside a closing parenthesis or quote), or introduces a list. */
    private static final Pattern SENTENCE_END = Pattern.compile(".*[.!?:][)\"']?$");
    /** A bare "METHODS.md 8" (or any doc without docs/ or without §). */
    private static final Pattern BAD_CITATION = Pattern.compile("(?<![/A-Za-z])[A-Z]+\\.md|[A-Z]+\\.md \\d");

    private static List<CommandSpec> all() {
        List<CommandSpec> out = new ArrayList<>();
        collect(BayesLoraCli.commandLine(), out);
        return out;
    }

    private static void collect(CommandLine c, List<CommandSpec> out) {
        out.add(c.getCommandSpec());
        c.getSubcommands().values().stream().distinct().forEach(s -> collect(s, out));
    }

    private static String name(CommandSpec s) {
        return s.qualifiedName(" ");
    }

    @Test
    void everyVisibleOptionHasADescription() {
        List<String> missing = new ArrayList<>();
        for (CommandSpec s : all()) {
            for (OptionSpec o : s.options()) {
                if (!o.hidden() && String.join("", o.description()).isBlank()) {
                    missing.add(name(s) + " " + o.longestName());
                }
            }
        }
        assertThat(missing).as("options without a description").isEmpty();
    }

    @Test
    void everyCommandHasAOneLineHeaderThatIsASentence() {
        List<String> bad = new ArrayList<>();
        for (CommandSpec s : all()) {
            if (s.userObject() instanceof CommandLine.HelpCommand) {
                continue; // picocli's own help command
            }
            String[] header = s.usageMessage().header();
            if (header.length != 1 || header[0].length() > 100 || !header[0].endsWith(".")) {
                bad.add(name(s) + ": " + List.of(header));
            }
        }
        assertThat(bad).as("headers (one line of at most 100 characters, ending with '.')").isEmpty();
    }

    @Test
    void descriptionLinesAreNotCutMidSentence() {
        List<String> cut = new ArrayList<>();
        for (CommandSpec s : all()) {
            if (s.userObject() instanceof CommandLine.HelpCommand) {
                continue; // picocli's own text
            }
            for (String line : s.usageMessage().description()) {
                checkLine(name(s), line, cut);
            }
            for (OptionSpec o : s.options()) {
                for (String line : o.description()) {
                    checkLine(name(s) + " " + o.longestName(), line, cut);
                }
            }
        }
        assertThat(cut).as("description lines that stop mid-sentence").isEmpty();
    }

    private static void checkLine(String where, String line, List<String> cut) {
        // blank lines separate paragraphs; indented lines are preformatted list rows (a usage table)
        if (line.isBlank() || line.startsWith(" ")) {
            return;
        }
        if (!SENTENCE_END.matcher(line.strip()).matches()) {
            cut.add(where + ": \"" + line + "\"");
        }
    }

    @Test
    void helpFollowsTheTerminalWidthAndCitesResolvableSections() {
        List<String> bad = new ArrayList<>();
        for (CommandSpec s : all()) {
            if (!s.usageMessage().autoWidth()) {
                bad.add(name(s) + ": usageHelpAutoWidth is off");
            }
            List<String> texts = new ArrayList<>(List.of(s.usageMessage().description()));
            texts.addAll(List.of(s.usageMessage().header()));
            s.options().forEach(o -> texts.addAll(List.of(o.description())));
            for (String t : texts) {
                if (BAD_CITATION.matcher(t.replace("docs/METHODS.md §", "")).find()
                        || t.matches(".*docs/[A-Z]+\\.md \\d.*")) {
                    bad.add(name(s) + ": \"" + t + "\"");
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void preformattedRowsFitEightyColumns() {
        // picocli wraps at 80 columns where the terminal's width cannot be measured, and a wrapped usage-table row or
        // example command breaks at a random place: indented description rows must fit
        List<String> wide = new ArrayList<>();
        for (CommandSpec s : all()) {
            for (String line : s.usageMessage().description()) {
                if (line.startsWith(" ") && line.length() > 80) {
                    wide.add(name(s) + ": " + line);
                }
            }
        }
        assertThat(wide).isEmpty();
    }

    @Test
    void theTestSeesEveryCommand() {
        // an independent list, so that a command missing from the tree is noticed
        List<String> names = all().stream().map(HelpConsistencyTest::name).toList();
        assertThat(names).contains("bayeslora", "bayeslora quickstart", "bayeslora train-ensemble", "bayeslora swag",
                "bayeslora evaluate", "bayeslora report", "bayeslora laplace fit", "bayeslora laplace predict",
                "bayeslora predict", "bayeslora logits", "bayeslora reproduce balabanov2024",
                "bayeslora reproduce yang2024", "bayeslora reproduce onal2024", "bayeslora bench forward",
                "bayeslora bench memory", "bayeslora bench ensemble", "bayeslora bench concurrent",
                "bayeslora bench laplace", "bayeslora bench train");
    }
}
