package ai.bayeslora.uncertainty.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Rendering figures leaves the process's global AWT setting alone: a fresh JVM that renders one XChart figure and
 * one composite canvas (PNG and SVG) ends with {@code java.awt.headless} as it started, unset. A fresh JVM is needed
 * because a static initializer runs once per JVM, before any in-process test could look.
 */
class FigureSideEffectsTest {
    /** Renders both kinds of figure, then prints the property and the PNG sizes. */
    public static void main(String[] args) throws Exception {
        String before = System.getProperty("java.awt.headless");
        Figure chart = EpochCurves.render("curves", "t", "nll", new int[] {1, 2}, Map.of("a", new double[] {1, 0.5}));
        Figure canvas = ReliabilityDiagram.render("reliability", "t", new double[] {0.2, 0.9},
                new double[] {0.3, 0.8}, new long[] {4, 6}, 0.1);
        StringBuilder out = new StringBuilder("before=" + before);
        for (Figure f : List.of(chart, canvas)) {
            var img = ImageIO.read(new ByteArrayInputStream(f.png()));
            out.append(' ').append(f.name()).append('=').append(img.getWidth()).append('x').append(img.getHeight())
                    .append(",svg=").append(f.svg().length > 0);
        }
        out.append(" after=").append(System.getProperty("java.awt.headless"));
        System.out.println(out);
    }

    @Test
    void renderingDoesNotSetJavaAwtHeadless() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FigureSideEffectsTest.class.getName()).redirectErrorStream(true).start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        String last = output.substring(output.lastIndexOf('\n') + 1);
        assertThat(last).startsWith("before=null ").endsWith(" after=null");
        assertThat(last).contains("curves=640x440,svg=true", "svg=true");
    }
}
