package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.uncertainty.metrics.Metrics;
import ai.bayeslora.uncertainty.report.RunMetadata;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's structure: the run metadata in report.json and report.html, the sections and their table of contents,
 * and the reliability bins, selective-prediction accuracies and grid groups against values worked out by hand for a
 * four-example, two-member evaluation.
 */
class ReportStructureTest {
    @TempDir
    Path tmp;

    /**
     * Two members, classes A and B, p(A) per member (all dyadic, so every mean is exact):
     * ex0 (0.875, 0.625) → p̄(A) 0.75, predicts A, label A: correct, confidence 0.75;
     * ex1 (0.625, 0.625) → 0.625, predicts A, label B: wrong, confidence 0.625;
     * ex2 (0.25, 0) → 0.125, predicts B, label B: correct, confidence 0.875;
     * ex3 (0.0625, 0.0625) → 0.0625, predicts B, label A: wrong, confidence 0.9375.
     */
    static EvaluationReport handExample() {
        double[] data = new double[2 * 4 * 2]; // [S, B, C] row-major
        // member 0: ex0..ex3 = 0.875, 0.625, 0.25, 0.0625; member 1: 0.625, 0.625, 0, 0.0625
        double[][] a = {{0.875, 0.625, 0.25, 0.0625}, {0.625, 0.625, 0.0, 0.0625}};
        for (int s = 0; s < 2; s++) {
            for (int b = 0; b < 4; b++) {
                data[(s * 4 + b) * 2] = a[s][b];
                data[(s * 4 + b) * 2 + 1] = 1 - a[s][b];
            }
        }
        ProbabilitySamples samples = new ProbabilitySamples(data, 2, 4, 2, List.of("A", "B"));
        int[] labels = {0, 1, 1, 0};
        Prediction p = Prediction.of(List.of("q0", "q1", "q2", "q3"), samples);
        return new EvaluationReport("ensemble (M=2)", "hand", p, labels, Metrics.evaluate(samples, labels, 4));
    }

    @Test
    void binsCoverageMetadataAndSections() throws Exception {
        EvaluationReport r = handExample();
        RunMetadata meta = RunMetadata.builder().command("evaluate")
                .commandLine("bayeslora evaluate --data 'my data.jsonl' --ece-bins 4")
                .model(new RunMetadata.Model("/models/tiny", "llama", 12345L, "abc123"))
                .adapter(new RunMetadata.Adapter("ensemble members", 8, 16, 0.1, List.of("q_proj", "v_proj")))
                .seed("sampling", 7).setting("prompt", "mmlu").setting("ECE bins", 4)
                .setting("member averaging", "probabilities").libraryVersion("9.9.9")
                .date(Instant.parse("2026-12-01T12:34:56.789Z")).build();
        Path html = UncertaintyReport.builder("Hand <report>").metadata(meta).evaluation(r)
                .epochHistograms(new UncertaintyReport.EpochHistograms("ensemble (M=2) on hand", List.of(3),
                        List.of(r)))
                .epochSeries(new UncertaintyReport.EpochSeries("NLL", new int[] {3},
                        Map.of("M=2", new double[] {r.metrics().nll()})))
                .build().writeTo(tmp.resolve("report"));
        JsonNode json = new ObjectMapper().readTree(html.resolveSibling("report.json").toFile());

        JsonNode run = json.get("run");
        assertThat(run.get("command").asText()).isEqualTo("evaluate");
        assertThat(run.get("command_line").asText()).isEqualTo("bayeslora evaluate --data 'my data.jsonl' --ece-bins 4");
        assertThat(run.get("model").get("folder").asText()).isEqualTo("/models/tiny");
        assertThat(run.get("model").get("architecture").asText()).isEqualTo("llama");
        assertThat(run.get("model").get("parameters").asLong()).isEqualTo(12345L);
        assertThat(run.get("model").get("fingerprint").asText()).isEqualTo("abc123");
        JsonNode ad = run.get("adapters").get(0);
        assertThat(ad.get("rank").asInt()).isEqualTo(8);
        assertThat(ad.get("alpha").asDouble()).isEqualTo(16.0);
        assertThat(ad.get("dropout").asDouble()).isEqualTo(0.1);
        assertThat(ad.get("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
        assertThat(run.get("seeds").get("sampling").asLong()).isEqualTo(7);
        assertThat(run.get("settings").toString())
                .isEqualTo("{\"prompt\":\"mmlu\",\"ECE bins\":\"4\",\"member averaging\":\"probabilities\"}");
        assertThat(run.get("library_version").asText()).isEqualTo("9.9.9");
        assertThat(run.get("date").asText()).isEqualTo("2026-12-01T12:34:56Z");

        // backward compatible: the fields ReportCommand reads are where they were
        JsonNode ev = json.get("evaluations").get(0);
        assertThat(ev.get("posterior").asText()).isEqualTo("ensemble (M=2)");
        assertThat(ev.get("examples").asInt()).isEqualTo(4);
        assertThat(ev.get("ece_bins").asInt()).isEqualTo(4);
        assertThat(ev.get("accuracy").asDouble()).isEqualTo(0.5);
        // bins (0, .25], (.25, .5], (.5, .75], (.75, 1]: confidences 0.75 and 0.625 in bin 2 (one right),
        // 0.875 and 0.9375 in bin 3 (one right); ECE = ½·|0.5 − 0.6875| + ½·|0.5 − 0.90625| = 0.296875
        assertThat(ev.get("ece").asDouble()).isEqualTo(0.296875);
        JsonNode bins = ev.get("calibration_bins");
        assertThat(bins).hasSize(4);
        assertThat(bins.findValuesAsText("count")).containsExactly("0", "0", "2", "2");
        assertThat(bins.get(0).get("confidence").isNull()).isTrue();
        assertThat(bins.get(0).get("accuracy").isNull()).isTrue();
        assertThat(bins.get(2).get("lower").asDouble()).isEqualTo(0.5);
        assertThat(bins.get(2).get("upper").asDouble()).isEqualTo(0.75);
        assertThat(bins.get(2).get("confidence").asDouble()).isEqualTo(0.6875);
        assertThat(bins.get(2).get("accuracy").asDouble()).isEqualTo(0.5);
        assertThat(bins.get(3).get("confidence").asDouble()).isEqualTo(0.90625);
        assertThat(bins.get(3).get("accuracy").asDouble()).isEqualTo(0.5);
        // most confident first: ex3 (wrong), ex2, ex0, ex1 (wrong): accuracy 0, 1/2, 2/3, 1/2 at k = 1..4;
        // coverage 50 % keeps k = 2, 80 % and 90 % keep ⌈3.2⌉ = ⌈3.6⌉ = 4
        JsonNode cov = ev.get("accuracy_at_coverage");
        assertThat(cov.get("0.50").asDouble()).isEqualTo(0.5);
        assertThat(cov.get("0.80").asDouble()).isEqualTo(0.5);
        assertThat(cov.get("1.00").asDouble()).isEqualTo(0.5);

        // grids: the one-epoch grid of the evaluation (entropy, expected entropy, MI); no second copy for the
        // evaluation itself, which is that grid's column
        JsonNode grids = json.get("histogram_grids");
        assertThat(grids.findValuesAsText("figure")).containsExactly("grid-entropy-ensemble-m-2-on-hand",
                "grid-expected-entropy-ensemble-m-2-on-hand", "grid-mi-ensemble-m-2-on-hand");
        JsonNode g = grids.get(0);
        assertThat(g.get("dataset").asText()).isEqualTo("hand");
        assertThat(g.get("columns").toString()).isEqualTo("[\"epoch 3\"]");
        assertThat(g.get("rows").toString()).isEqualTo("[\"correct\",\"incorrect\"]");
        assertThat(g.get("cells").get(0).get("n").asInt()).isEqualTo(2); // ex0, ex2
        assertThat(g.get("cells").get(1).get("n").asInt()).isEqualTo(2); // ex1, ex3

        String page = Files.readString(html);
        List<String> ids = List.of("run", "metrics", "ood", "selective", "epochs", "figures");
        int last = page.indexOf("</nav>");
        assertThat(last).isPositive();
        for (String id : ids) {
            assertThat(page).contains("<a href=\"#" + id + "\">");
            int at = page.indexOf("<h2 id=\"" + id + "\">");
            assertThat(at).as("section " + id + " after the previous one").isGreaterThan(last);
            last = at;
        }
        assertThat(page).contains("<h2 id=\"run\">Run metadata</h2>").contains("<h2 id=\"ood\">OOD detection</h2>")
                .contains("<h2 id=\"selective\">Selective prediction</h2>")
                .contains("<h2 id=\"epochs\">Per-epoch evolution</h2>")
                .contains("bayeslora evaluate --data 'my data.jsonl' --ece-bins 4").contains("Hand &lt;report&gt;")
                .contains("r=8, alpha=16, dropout 0.1 on q_proj, v_proj").contains("12,345")
                .contains("member averaging").contains("2026-12-01T12:34:56Z")
                .contains("<h3 id=\"figures-1-hand\">hand</h3>").contains("<a href=\"#figures-1-hand\">hand</a>")
                .contains("(0.500, 0.750]</td><td>2</td><td>0.6875</td><td>0.5000</td>");
    }

    @Test
    void aReportWithoutMetadataSaysSoAndWritesNull() throws Exception {
        Path html = UncertaintyReport.builder("bare").evaluation(handExample()).build().writeTo(tmp.resolve("r"));
        JsonNode json = new ObjectMapper().readTree(html.resolveSibling("report.json").toFile());
        assertThat(json.get("run").isNull()).isTrue();
        assertThat(Files.readString(html)).contains("No run metadata was recorded")
                .contains("No out-of-domain set in this run").contains("No per-epoch evaluation in this run");
        // one evaluation outside any per-epoch grid: its reliability diagram and its own three one-column grids
        try (var figs = Files.list(html.resolveSibling("figures"))) {
            assertThat(figs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).sorted())
                    .containsExactly("grid-entropy-1-ensemble-m-2-hand.png",
                            "grid-expected-entropy-1-ensemble-m-2-hand.png", "grid-mi-1-ensemble-m-2-hand.png",
                            "reliability-1-ensemble-m-2-hand.png");
        }
    }
}
