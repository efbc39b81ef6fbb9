package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/**
 * Model and posterior named by a non-{@code file} Hadoop URI ({@code testfs://}, {@link TestSchemeFileSystem},
 * registered through {@code spark.hadoop.fs.testfs.impl} as a cluster would set it): the tasks copy each folder once
 * into the local cache (every file opened once, none again on a second scoring) and the scores equal, bit for bit on
 * the CPU, those of the same folders given as local paths (same bytes, same batches, same arithmetic; on CUDA to
 * rounding, {@link UncertaintyScorerTest#sameBatches()}).
 */
class RemoteFolderScoringTest {
    @Test
    void hadoopUrisAreCopiedOnceAndScoreAsTheLocalFolders() throws Exception {
        PosteriorFixtures f = PosteriorFixtures.get();
        // local mode: the driver's SparkEnv is the executors' one, so this is the conf the tasks read
        SparkTests.session().sparkContext().env().conf().set("spark.hadoop.fs." + TestSchemeFileSystem.SCHEME
                + ".impl", TestSchemeFileSystem.class.getName());
        Path model = Files.createDirectories(f.root.resolve("remote-model"));
        try (Stream<Path> files = Files.list(PosteriorFixtures.MODEL)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.copy(p, model.resolve(p.getFileName()));
            }
        }
        long expectedOpens = countFiles(model) + countFiles(f.ensemble);
        UncertaintyScorer remote = new UncertaintyScorer()
                .setModel(SparkTests.model(TestSchemeFileSystem.SCHEME + "://" + model))
                .setPosteriorPath(TestSchemeFileSystem.SCHEME + "://" + f.ensemble).setBatchSize(3)
                .setClassLabels(f.questions.classLabels());
        int before = TestSchemeFileSystem.OPENED.get();
        List<Row> got = remote.transform(McqaFrames.toFrame(SparkTests.session(), f.questions, 3)).collectAsList();
        assertThat(TestSchemeFileSystem.OPENED.get() - before).as("files opened: each once").isEqualTo(expectedOpens);
        List<Row> again = remote.transform(McqaFrames.toFrame(SparkTests.session(), f.questions, 2)).collectAsList();
        assertThat(TestSchemeFileSystem.OPENED.get() - before).as("nothing opened again").isEqualTo(expectedOpens);

        List<Row> local = UncertaintyScorerTest.scorer(f.ensemble)
                .transform(McqaFrames.toFrame(SparkTests.session(), f.questions, 3)).collectAsList();
        UncertaintyScorerTest.assertSameRows(got, local, UncertaintyScorerTest.sameBatches());
        assertThat(again).hasSize(local.size());
    }

    private static long countFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
