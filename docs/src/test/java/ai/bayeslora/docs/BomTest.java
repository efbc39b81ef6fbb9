package ai.bayeslora.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * bayeslora-bom has no parent (docs/DEVELOPING.md, "Dependencies"), so nothing keeps it in step with the reactor but
 * this test: the same version and libtorch versions as the parent, every published library and natives module
 * managed, and every library jar naming its module.
 */
class BomTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent(); // surefire runs in docs/

    private static Element pom(Path file) throws Exception {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        return d.getDocumentElement();
    }

    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e, String... path) {
        Element cur = e;
        for (String p : path) {
            cur = cur == null ? null : child(cur, p);
        }
        return cur == null ? null : cur.getTextContent().strip();
    }

    private static List<String> managedArtifacts(Element bom) {
        List<String> out = new ArrayList<>();
        NodeList deps = child(child(bom, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if ("ai.bayeslora".equals(text(d, "groupId"))) {
                out.add(text(d, "artifactId"));
            }
        }
        return out;
    }

    @Test
    void bomFollowsTheParent() throws Exception {
        Element parent = pom(ROOT.resolve("pom.xml"));
        Element bom = pom(ROOT.resolve("bom/pom.xml"));
        assertThat(child(bom, "parent")).as("an imported BOM must not inherit the parent's management").isNull();
        assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
        for (String prop : List.of("pytorch.version", "javacpp.version", "openblas.version", "cuda.version")) {
            assertThat(text(bom, "properties", prop)).as(prop).isEqualTo(text(parent, "properties", prop));
        }
        for (String meta : List.of("url")) {
            assertThat(text(bom, meta)).isEqualTo(text(parent, meta));
        }
        assertThat(text(bom, "licenses", "license", "name")).isEqualTo(text(parent, "licenses", "license", "name"))
                .isEqualTo("Apache-2.0");
        assertThat(text(bom, "scm", "url")).isEqualTo(text(parent, "scm", "url"));
    }

    @Test
    void bomManagesEveryPublishedModule() throws Exception {
        List<String> expected = new ArrayList<>(List.of("lib-core", "lib-uncertainty", "lib-lora", "lib-laplace",
                "lib-parquet", "lib-spark"));
        try (Stream<Path> s = Files.list(ROOT.resolve("natives"))) {
            for (Path dir : s.sorted().toList()) {
                String artifact = text(pom(dir.resolve("pom.xml")), "artifactId");
                assertThat(artifact).isEqualTo("bayeslora-natives-" + dir.getFileName());
                expected.add(artifact);
            }
        }
        assertThat(expected).hasSize(11);
        assertThat(managedArtifacts(pom(ROOT.resolve("bom/pom.xml")))).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyLibraryJarNamesItsModule() throws Exception {
        for (String m : List.of("core", "parquet", "uncertainty", "lora", "laplace", "spark")) {
            Element pom = pom(ROOT.resolve("lib-" + m + "/pom.xml"));
            assertThat(text(pom, "properties", "automatic.module.name")).as(m).isEqualTo("ai.bayeslora." + m);
            assertThat(text(pom, "description")).as(m).isNotBlank();
        }
    }
}
