package ai.bayeslora.docs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's code example runs, and README.md shows it verbatim. */
class ReadmeExampleTest {

    @TempDir
    Path tmp;

    @Test
    void exampleTrainsAndReturnsTheEpistemicUncertaintyOfEveryQuestion() {
        Path data = BundledData.syntheticMcqa();
        double[] mi = ReadmeExample.ensembleUncertainty(data, data, tmp.resolve("run"));
        assertThat(mi).hasSize(BundledData.syntheticMcqaDataset().size());
        // mutual information of two members lies in [0, log 2] (up to rounding), and two seeds disagree somewhere
        assertThat(Arrays.stream(mi).min().getAsDouble()).isGreaterThanOrEqualTo(-1e-12);
        assertThat(Arrays.stream(mi).max().getAsDouble()).isLessThanOrEqualTo(Math.log(2) + 1e-12).isGreaterThan(0);
        assertThat(tmp.resolve("run/member-01/epoch-001/adapter_model.safetensors")).exists();
    }

    @Test
    void readmeShowsTheCompiledExampleVerbatim() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // surefire runs in docs/
        List<String> source = Files.readAllLines(root.resolve("docs/src/main/java/ai/bayeslora/docs/ReadmeExample.java"));
        int start = indexOf(source, "// README-EXAMPLE-START") + 1;
        int end = indexOf(source, "// README-EXAMPLE-END");
        String snippet = source.subList(start, end).stream().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .collect(Collectors.joining("\n"));
        String readme = Files.readString(root.resolve("README.md"));
        assertThat(readme).as("README.md must contain the example from ReadmeExample.java").contains(snippet);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        throw new AssertionError("marker not found: " + marker);
    }
}
