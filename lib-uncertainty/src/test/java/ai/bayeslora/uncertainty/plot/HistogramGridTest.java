package ai.bayeslora.uncertainty.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The histogram grid's numbers against counts, means and medians worked out by hand, and its rendering (PNG decodes
 * to the computed size and is not blank, SVG is well-formed XML). Set {@code -Dbayeslora.plot.dump=DIR} to keep the
 * rendered images for a look.
 */
class HistogramGridTest {
    @TempDir
    Path tmp;

    /**
     * Two epochs; the values run from 0.0 to 2.0, so 4 bins are [0, .5), [.5, 1), [1, 1.5), [1.5, 2] (every value and
     * edge a dyadic rational: the bin of each value is exact, no rounding at the edges).
     */
    private static List<HistogramGrid.Column> twoEpochs() {
        return List.of(
                new HistogramGrid.Column("epoch 1", new double[] {0.25, 0.75, 1.5, 0.25, 2.0, 1.0},
                        new boolean[] {true, true, false, true, false, false}),
                new HistogramGrid.Column("epoch 2", new double[] {0.0, 0.5, 0.5, 1.75, 0.25},
                        new boolean[] {true, true, true, false, true}));
    }

    @Test
    void countsMeansAndMediansMatchHandValues() {
        HistogramGrid.Data d = HistogramGrid.compute("entropy", twoEpochs(), 4);
        assertThat(d.rows()).containsExactly("correct", "incorrect");
        assertThat(d.columns()).containsExactly("epoch 1", "epoch 2");
        assertThat(d.lower()).isEqualTo(0.0);
        assertThat(d.upper()).isEqualTo(2.0);
        assertThat(d.edge(1)).isEqualTo(0.5);
        // epoch 1 correct: 0.25, 0.75, 0.25 -> bins 0, 1, 0; mean 1.25/3; median 0.25
        HistogramGrid.Cell c = d.cell(0, 0);
        assertThat(c.column()).isEqualTo("epoch 1");
        assertThat(c.row()).isEqualTo("correct");
        assertThat(c.n()).isEqualTo(3);
        assertThat(c.counts()).containsExactly(2, 1, 0, 0);
        assertThat(c.mean()).isCloseTo(1.25 / 3, within(1e-15));
        assertThat(c.median()).isEqualTo(0.25);
        // epoch 1 incorrect: 1.5, 2.0, 1.0 -> bins 3, 3 (the last bin is closed), 2; mean 1.5; median 1.5
        c = d.cell(1, 0);
        assertThat(c.n()).isEqualTo(3);
        assertThat(c.counts()).containsExactly(0, 0, 1, 2);
        assertThat(c.mean()).isEqualTo(1.5);
        assertThat(c.median()).isEqualTo(1.5);
        // epoch 2 correct: 0, 0.5, 0.5, 0.25 -> bins 0, 1, 1, 0; mean 0.3125; median (0.25 + 0.5)/2 = 0.375
        c = d.cell(0, 1);
        assertThat(c.n()).isEqualTo(4);
        assertThat(c.counts()).containsExactly(2, 2, 0, 0);
        assertThat(c.mean()).isEqualTo(0.3125);
        assertThat(c.median()).isEqualTo(0.375);
        // epoch 2 incorrect: 1.75 -> bin 3
        c = d.cell(1, 1);
        assertThat(c.n()).isEqualTo(1);
        assertThat(c.counts()).containsExactly(0, 0, 0, 1);
        assertThat(c.mean()).isEqualTo(1.75);
        assertThat(c.median()).isEqualTo(1.75);
        assertThat(d.maxCount()).isEqualTo(2);
    }

    @Test
    void unlabelledDataHasOneRowAllAndEmptyGroupsHaveNoMean() {
        HistogramGrid.Data d = HistogramGrid.compute("MI", List.of(
                new HistogramGrid.Column("OOD", new double[] {0.1, 0.4, 0.3}, null)), 2);
        assertThat(d.rows()).containsExactly("all");
        assertThat(d.cells()).hasSize(1);
        // range [0.1, 0.4], 2 bins split at 0.25: 0.1 -> 0; (0.3 - 0.1)/(0.4 - 0.1)·2 = 1.33… -> 1; 0.4 -> 1 (closed)
        assertThat(d.lower()).isEqualTo(0.1);
        assertThat(d.upper()).isEqualTo(0.4);
        assertThat(d.cell(0, 0).counts()).containsExactly(1, 2);
        assertThat(d.cell(0, 0).median()).isEqualTo(0.3);

        HistogramGrid.Data allRight = HistogramGrid.compute("H", List.of(
                new HistogramGrid.Column("epoch 1", new double[] {0.0, 0.0}, new boolean[] {true, true})), 3);
        assertThat(allRight.lower()).isEqualTo(0.0); // every value 0: the unit range [0, 1]
        assertThat(allRight.upper()).isEqualTo(1.0);
        assertThat(allRight.cell(0, 0).counts()).containsExactly(2, 0, 0);
        HistogramGrid.Cell empty = allRight.cell(1, 0);
        assertThat(empty.n()).isZero();
        assertThat(empty.counts()).containsExactly(0, 0, 0);
        assertThat(empty.mean()).isNaN();
        assertThat(empty.median()).isNaN();
        // and it renders
        assertThat(HistogramGrid.render("g", "all right", allRight).png()).isNotEmpty();
    }

    @Test
    void theRangeRunsFromTheSmallestToTheLargestValueOfTheWholeGrid() {
        // values 1.0 .. 1.5 over two columns, 2 bins [1, 1.25), [1.25, 1.5]
        HistogramGrid.Data d = HistogramGrid.compute("H", List.of(
                new HistogramGrid.Column("epoch 1", new double[] {1.0, 1.25, 1.125}, new boolean[] {true, true, false}),
                new HistogramGrid.Column("epoch 2", new double[] {1.5, 1.375}, new boolean[] {false, true})), 2);
        assertThat(d.lower()).isEqualTo(1.0);
        assertThat(d.upper()).isEqualTo(1.5);
        assertThat(d.edge(1)).isEqualTo(1.25);
        assertThat(d.cell(0, 0).counts()).containsExactly(1, 1); // 1.0, 1.25
        assertThat(d.cell(1, 0).counts()).containsExactly(1, 0); // 1.125
        assertThat(d.cell(0, 1).counts()).containsExactly(0, 1); // 1.375
        assertThat(d.cell(1, 1).counts()).containsExactly(0, 1); // 1.5, in the closed last bin
        HistogramGrid.Data same = HistogramGrid.compute("H", List.of(
                new HistogramGrid.Column("x", new double[] {1.25, 1.25}, null)), 4);
        assertThat(same.lower()).isEqualTo(0.75); // one value everywhere: [v - 1/2, v + 1/2]
        assertThat(same.upper()).isEqualTo(1.75);
        assertThat(same.cell(0, 0).counts()).containsExactly(0, 0, 2, 0);
    }

    @Test
    void colourBarTicksAreRoundStepsAndTheMaximum() {
        assertThat(HistogramGrid.ticks(1)).containsExactly(0L, 1L);
        assertThat(HistogramGrid.ticks(6)).containsExactly(0L, 2L, 4L, 6L); // max/5 = 1.2 -> step 2
        assertThat(HistogramGrid.ticks(14)).containsExactly(0L, 5L, 10L, 14L); // 2.8 -> 5; 14 is 0.8 steps on
        assertThat(HistogramGrid.ticks(41)).containsExactly(0L, 10L, 20L, 30L, 40L); // 41 would crowd 40
        assertThat(HistogramGrid.ticks(3459)).containsExactly(0L, 1000L, 2000L, 3000L, 3459L);
    }

    @Test
    void badInputIsRejectedNamingTheColumn() {
        assertThatThrownBy(() -> new HistogramGrid.Column("epoch 2", new double[] {0.1, Double.NaN}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'epoch 2', example 1");
        assertThatThrownBy(() -> new HistogramGrid.Column("epoch 3", new double[] {0.1}, new boolean[] {}))
                .hasMessageContaining("'epoch 3'").hasMessageContaining("correctness");
        assertThatThrownBy(() -> HistogramGrid.compute("H", List.of(
                new HistogramGrid.Column("a", new double[] {0.1}, new boolean[] {true}),
                new HistogramGrid.Column("b", new double[] {0.1}, null)), 4)).hasMessageContaining("'b'");
        assertThatThrownBy(() -> HistogramGrid.compute("H", List.of(), 4)).hasMessageContaining("at least one");
    }

    @Test
    void rendersPngAndSvgForOneAndManyEpochs() throws Exception {
        Random r = new Random(7);
        List<HistogramGrid.Column> cols = new ArrayList<>();
        for (int e = 1; e <= 4; e++) {
            double[] v = new double[300];
            boolean[] ok = new boolean[300];
            for (int i = 0; i < v.length; i++) {
                ok[i] = r.nextDouble() < 0.4 + 0.1 * e;
                double centre = ok[i] ? 0.9 - 0.15 * e : 1.3;
                v[i] = Math.min(Math.log(5), Math.abs(centre + 0.25 * r.nextGaussian()));
            }
            cols.add(new HistogramGrid.Column("epoch " + e, v, ok));
        }
        HistogramGrid.Data many = HistogramGrid.compute("predictive entropy (nats)", cols, 20);
        Figure f = HistogramGrid.render("grid-entropy", "Predictive entropy per epoch: ensemble (M=5) on cqa", many);
        check(f, 4 * 250);
        HistogramGrid.Data one = HistogramGrid.compute("mutual information (nats)", cols.subList(3, 4), 20);
        check(HistogramGrid.render("grid-mi-one", "Mutual information: ensemble (M=5) on cqa", one), 500);
        HistogramGrid.Data ood = HistogramGrid.compute("predictive entropy (nats)",
                List.of(new HistogramGrid.Column("final", cols.get(0).values(), null)), 20);
        check(HistogramGrid.render("grid-ood", "Predictive entropy: ensemble on mmlu (OOD)", ood), 500);
    }

    private void check(Figure f, int minWidth) throws Exception {
        List<Path> files = f.writeTo(tmp);
        BufferedImage img = ImageIO.read(files.get(0).toFile());
        assertThat(img.getWidth()).isEqualTo(f.width()).isGreaterThanOrEqualTo(minWidth);
        assertThat(img.getHeight()).isEqualTo(f.height());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertThat(colours.size()).as("distinct colours (viridis bars, colour bar)").isGreaterThan(50);
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(files.get(1))));
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        String dump = System.getProperty("bayeslora.plot.dump");
        if (dump != null) {
            Files.createDirectories(Path.of(dump));
            for (Path p : files) {
                Files.copy(p, Path.of(dump).resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
