package ai.bayeslora.examples.cli;

import static ai.bayeslora.examples.cli.WorkflowCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.examples.cli.WorkflowCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart puts every method side by side: ensembles, SWAG, MC dropout, Laplace-LoRA, temperature scaling. */
class QuickstartCliTest {
    @TempDir
    Path tmp;

    @Test
    void theComparisonHasEveryMethodAndARerunReplacesItsOwnOutput() throws Exception {
        Path out = tmp.resolve("qs");
        Run r = run("quickstart", "--fast", "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ensemble (M=1)").contains("ensemble (M=3)").contains("swag (S=")
                .contains("mc-dropout").contains("laplace kfac linearised").contains("temperature scaling (T=");
        String report = Files.readString(out.resolve("report/report.json"));
        assertThat(report).contains("laplace kfac").contains("temperature scaling")
                .contains("\"averaging\" : \"probabilities\"");
        assertThat(r.out()).contains("averaging: probabilities");
        var run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report).get("run");
        assertThat(run.get("command_line").asText()).isEqualTo("bayeslora quickstart --fast --out " + out);
        assertThat(run.get("adapters")).hasSize(2);
        assertThat(run.get("settings").get("members").asText()).isEqualTo("3");
        assertThat(run.get("settings").get("fast").asText()).isEqualTo("true");
        // its own earlier run is replaced; this time the members are averaged by their logits
        Run again = run("quickstart", "--fast", "--average", "logits", "--out", out.toString());
        assertThat(again.code()).as("its own earlier run").isZero();
        assertThat(again.out()).contains("averaging: logits");
        assertThat(Files.readString(out.resolve("report/report.json"))).contains("\"averaging\" : \"logits\"")
                .doesNotContain("\"averaging\" : \"probabilities\"");
    }
}
