package ai.bayeslora.uncertainty.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Figures render to valid, non-blank PNG and well-formed SVG files. */
class FigureRenderingTest {
    @TempDir
    Path tmp;

    private static void assertValidPng(Path png, int minWidth) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as(png.toString()).isNotNull();
        assertThat(img.getWidth()).isGreaterThanOrEqualTo(minWidth);
        // not blank: more than a handful of distinct colours
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertThat(colours.size()).isGreaterThan(5);
    }

    private static Document assertValidSvg(Path svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        return doc;
    }

    @Test
    void reliabilityDiagram() throws Exception {
        Figure f = ReliabilityDiagram.render("reliability", "ensemble", new double[] {Double.NaN, 0.2, 0.55, 0.9, 1.0},
                new double[] {Double.NaN, 0.3, 0.5, 0.7, 0.95}, new long[] {0, 4, 10, 20, 6}, 0.0875);
        List<Path> files = f.writeTo(tmp);
        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("reliability.png",
                "reliability.svg");
        assertValidPng(files.get(0), 600);
        assertThat(Files.size(files.get(1))).isGreaterThan(2000); // VectorGraphics2D draws text as paths
        assertValidSvg(files.get(1));
        dump(files);
        try (var s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
        }
    }

    /** Keeps the images for a look when {@code -Dbayeslora.plot.dump=DIR} is set. */
    static void dump(List<Path> files) throws IOException {
        String dir = System.getProperty("bayeslora.plot.dump");
        if (dir != null) {
            Files.createDirectories(Path.of(dir));
            for (Path p : files) {
                Files.copy(p, Path.of(dir).resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Test
    void reliabilityDiagramWithFifteenBinsAndLargeCounts() throws Exception {
        double[] acc = new double[15];
        double[] conf = new double[15];
        long[] counts = new long[15];
        for (int b = 0; b < 15; b++) {
            counts[b] = b < 3 ? 0 : (long) (40 * Math.pow(1.5, b - 3));
            conf[b] = counts[b] == 0 ? Double.NaN : (b + 0.5) / 15;
            acc[b] = counts[b] == 0 ? Double.NaN : Math.min(1, conf[b] * 0.9 + 0.02);
        }
        Figure f = ReliabilityDiagram.render("reliability-15", "ensemble (M=5) on cqa", acc, conf, counts, 0.0312);
        assertThat(f.height()).isGreaterThan(600); // the count panel below
        List<Path> files = f.writeTo(tmp);
        assertValidPng(files.get(0), 600);
        assertValidSvg(files.get(1));
        dump(files);
    }

    @Test
    void epochCurvesAndHistograms() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("M=1", new double[] {1.2, 0.9, 0.8, 0.95});
        series.put("M=5", new double[] {1.1, 0.8, 0.7, 0.75});
        List<Path> curves = EpochCurves.render("nll", "NLL per epoch", "NLL", new int[] {1, 2, 3, 4}, series)
                .writeTo(tmp);
        assertValidPng(curves.get(0), 600);
        assertValidSvg(curves.get(1));

        Random r = new Random(1);
        double[] h = new double[200];
        boolean[] ok = new boolean[200];
        for (int i = 0; i < h.length; i++) {
            ok[i] = i % 3 != 0;
            h[i] = ok[i] ? Math.abs(r.nextGaussian()) * 0.3 : 0.8 + Math.abs(r.nextGaussian()) * 0.3;
        }
        List<Path> hist = UncertaintyHistogram.render("entropy-epoch-3", "Predictive entropy, epoch 3",
                "predictive entropy (nats)", h, ok, 20).writeTo(tmp);
        assertValidPng(hist.get(0), 600);
        assertValidSvg(hist.get(1));
    }

    @Test
    void histogramCountsAndMedianAgainstHandValues() {
        // values 0.05, 0.15, 0.15, 0.95 into 10 bins over [0, 1): bins 0, 1, 1, 9
        long[] counts = UncertaintyHistogram.histogram(new double[] {0.05, 0.15, 0.15, 0.95}, 10, 1.0);
        assertThat(counts).containsExactly(1, 2, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(UncertaintyHistogram.median(new double[] {3, 1, 2})).isEqualTo(2.0);
        assertThat(UncertaintyHistogram.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void badInputIsRejected() {
        assertThatThrownBy(() -> UncertaintyHistogram.render("x", "x", "x", new double[] {1}, new boolean[] {}, 5))
                .hasMessageContaining("correctness");
        assertThatThrownBy(() -> ReliabilityDiagram.render("x", "x", new double[] {1}, new double[] {}, new long[] {1}, 0))
                .hasMessageContaining("same");
        assertThatThrownBy(() -> EpochCurves.render("x", "x", "x", new int[] {1, 2}, Map.of("a", new double[] {1})))
                .hasMessageContaining("'a'");
    }

    @Test
    void histogramOutlineNeverDecreasesWhenTheLastEdgeRoundsUp() {
        double hi = 0.051100000000000007; // hi * 20 / 20 rounds one ulp above hi: xchart rejected the outline
        assertThat(hi * 20 / 20).isGreaterThan(hi);
        double[] x = UncertaintyHistogram.stepOutline(new long[20], hi)[0];
        for (int i = 1; i < x.length; i++) {
            assertThat(x[i]).isGreaterThanOrEqualTo(x[i - 1]);
        }
        double[] values = new double[] {0.1, 0.3, hi / 1.0001};
        UncertaintyHistogram.render("h", "h", "entropy", values, new boolean[] {true, false, true}, 20);
    }
}
