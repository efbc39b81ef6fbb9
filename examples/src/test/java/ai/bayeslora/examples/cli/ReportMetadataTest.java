package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line recorded in reports: picocli's original arguments, quoted as a POSIX shell reads them back. */
class ReportMetadataTest {
    @Test
    void argumentsAreQuotedOnlyWhenAShellWouldSplitOrExpandThem() {
        assertThat(ReportMetadata.quote("--members")).isEqualTo("--members");
        assertThat(ReportMetadata.quote("in=/data/cqa.jsonl#stem,social")).isEqualTo("'in=/data/cqa.jsonl#stem,social'");
        assertThat(ReportMetadata.quote("my data.jsonl")).isEqualTo("'my data.jsonl'");
        assertThat(ReportMetadata.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ReportMetadata.quote("")).isEqualTo("''");
        assertThat(ReportMetadata.quote("$HOME")).isEqualTo("'$HOME'");
    }

    @Test
    void theCommandLineIsRebuiltFromTheTopLevelParse() {
        CommandLine cli = new CommandLine(new BayesLoraCli());
        cli.parseArgs("report", "--runs", "a b", "c", "--out", "o");
        CommandLine sub = cli.getSubcommands().get("report");
        assertThat(ReportMetadata.commandLine(sub.getCommandSpec()))
                .isEqualTo("bayeslora report --runs 'a b' c --out o");
        assertThat(ReportMetadata.of(sub.getCommandSpec()).build().command()).isEqualTo("report");
    }
}
