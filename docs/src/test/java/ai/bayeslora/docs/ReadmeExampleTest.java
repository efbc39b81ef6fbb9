package ai.bayeslora.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's code example runs, and README.md shows it verbatim. */
class ReadmeExampleTest {

    @Test
    void exampleRunsAndReturnsADistribution() {
        double[] p = ReadmeExample.firstQuestion();
        assertThat(p).hasSize(4);
        assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(Arrays.stream(p).min().getAsDouble()).isGreaterThan(0.0);
        assertThat(Arrays.stream(p).max().getAsDouble()).isLessThan(1.0);
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
