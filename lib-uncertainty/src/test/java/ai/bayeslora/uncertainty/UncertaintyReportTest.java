package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.uncertainty.report.UncertaintyReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full report folder: JSON with every metric, CSV per evaluation, valid PNG/SVG figures, self-contained HTML. */
class UncertaintyReportTest {
    @TempDir
    Path tmp;

    @Test
    void reportFolderHasEveryPart() throws Exception {
        try (HfTokenizer tok = HfTokenizer.load(Fixtures.tokenizerJson())) {
            McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
            McqaDataset data = BundledData.syntheticMcqaDataset();
            McqaDataset in = data.filter("first half", e -> UncertaintyEstimatorTest.Scripted.index(e.id()) < 32);
            McqaDataset ood = data.filter("second half", e -> UncertaintyEstimatorTest.Scripted.index(e.id()) >= 32);
            var a = UncertaintyEstimator.of(new UncertaintyEstimatorTest.Scripted(List.of("A", "B", "C", "D"), 0))
                    .batcher(batcher).progress(false);
            var b = UncertaintyEstimator.of(new UncertaintyEstimatorTest.Scripted(List.of("A", "B", "C", "D"), 1))
                    .batcher(batcher).progress(false);
            Comparison cmp = UncertaintyEstimator.compare(in, ood, List.of(a, b));
            assertThat(cmp.table()).contains("ECE(15)").contains("OOD-AUC(MI)");
            UncertaintyReport.Builder builder = UncertaintyReport.builder("Test report").note("tiny & <random>")
                    .comparison(cmp).epochSeries(new UncertaintyReport.EpochSeries("NLL", new int[] {1, 2},
                            Map.of("M=1", new double[] {1.0, 0.9})))
                    .epochHistograms(new UncertaintyReport.EpochHistograms("scripted", List.of(1),
                            List.of(cmp.entries().get(1).evaluation())));
            Path html = builder.build().writeTo(tmp.resolve("report"));
            Path dir = html.getParent();
            JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
            assertThat(json.get("evaluations")).hasSize(2);
            assertThat(json.get("evaluations").get(0).get("ece_bins").asInt()).isEqualTo(15);
            assertThat(json.get("evaluations").get(0).get("averaging").asText()).isEqualTo("probabilities");
            assertThat(json.get("ood_detection").get(1).get("mutual information").get("auroc").isNumber()).isTrue();
            String csvName = json.get("evaluations").get(0).get("examples_csv").asText();
            List<String> csv = Files.readAllLines(dir.resolve(csvName));
            assertThat(csv).hasSize(32 + 1);
            assertThat(csv.get(0)).startsWith("id,label,predicted,correct,confidence");
            String page = Files.readString(html);
            assertThat(page).contains("data:image/png;base64,").contains("tiny &amp; &lt;random&gt;")
                    .contains("ECE (15 bins)");
            try (var figs = Files.list(dir.resolve("figures"))) {
                List<Path> pngs = figs.filter(p -> p.toString().endsWith(".png")).toList();
                // 1 epoch curve; the per-epoch grids of entropy, expected entropy and MI (evaluation 2 is their
                // column); 2 reliability diagrams; evaluation 1's own three grids; 2 OOD pairs x 3 grids
                assertThat(pngs).hasSize(1 + 3 + 2 + 3 + 6);
                for (Path p : pngs) {
                    assertThat(ImageIO.read(p.toFile())).as(p.toString()).isNotNull();
                    // PNG only by default: SVG is on request
                    assertThat(Files.exists(Path.of(p.toString().replace(".png", ".svg")))).isFalse();
                }
            }
            assertThat(page).doesNotContain(".svg\">svg</a>");
            Path withSvg = builder.svg(true).build().writeTo(tmp.resolve("report-svg")).getParent();
            try (var figs = Files.list(withSvg.resolve("figures"))) {
                List<Path> files = figs.toList();
                List<Path> pngs = files.stream().filter(p -> p.toString().endsWith(".png")).toList();
                assertThat(pngs).hasSize(1 + 3 + 2 + 3 + 6);
                assertThat(files).hasSize(2 * pngs.size());
                for (Path p : pngs) {
                    assertThat(Path.of(p.toString().replace(".png", ".svg"))).isRegularFile();
                }
            }
            assertThat(Files.readString(withSvg.resolve("report.html"))).contains(".svg\">svg</a>");
            try (var left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report", "report-svg");
            }
        }
    }
}
