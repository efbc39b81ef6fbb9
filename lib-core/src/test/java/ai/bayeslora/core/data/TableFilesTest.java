package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet paths in lib-core alone (no reader on the class path): which files and folders are tables, the shard
 * rules of HF datasets' folders, and the error that names the optional module. Reading is tested in lib-parquet.
 */
class TableFilesTest {
    @TempDir
    Path dir;

    private Path file(String name) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[] {'P', 'A', 'R', '1'});
    }

    @Test
    void withoutLibParquetTheErrorNamesTheModule() throws IOException {
        Path f = file("train-00000-of-00001.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(f)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(f + ": reading Parquet needs the optional module ai.bayeslora:lib-parquet on the class "
                        + "path (a Maven dependency next to lib-core; the bayeslora CLI has it)");
        assertThatThrownBy(() -> McqaDatasets.load(dir, McqaFormat.CQA_HF))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("lib-parquet");
        Path upper = file("upper/TRAIN.PARQUET");
        assertThat(TableFiles.isTable(upper)).isTrue();
    }

    @Test
    void aZeroByteFileIsAnEmptyDatasetWithoutAReader() throws IOException {
        Path empty = Files.createFile(dir.resolve("test.parquet"));
        assertThatThrownBy(() -> McqaDatasets.load(empty)).isInstanceOf(EmptyDatasetException.class)
                .hasMessage("empty dataset: " + empty + ": the file has no rows");
    }

    @Test
    void shardFoldersHoldOneCompleteSplit() throws IOException {
        Path a = file("cfg/train-00001-of-00002.parquet");
        Path b = file("cfg/train-00000-of-00002.parquet");
        Path cfg = a.getParent();
        assertThat(TableFiles.shards(cfg)).containsExactly(b, a);
        assertThat(TableFiles.isTable(cfg)).isTrue();

        file("cfg/test-00000-of-00001.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(cfg)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(cfg + ": holds the shards of several splits [test, train]; pass one split's file, or a "
                        + "folder with the shards of one split");

        Path gap = file("gap/validation-00002-of-00003.parquet").getParent();
        file("gap/validation-00000-of-00003.parquet");
        assertThatThrownBy(() -> TableFiles.shards(gap)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(gap + ": shard 00001 of 3 of split \"validation\" is missing");
        Path alone = file("alone/validation-00000-of-00002.parquet").getParent();
        assertThatThrownBy(() -> TableFiles.shards(alone)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(alone + ": shard 00001 of 2 of split \"validation\" is missing");

        Path loose = file("loose/a.parquet").getParent();
        file("loose/b.parquet");
        assertThatThrownBy(() -> TableFiles.shards(loose)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("is not named as a shard");
        Path one = file("one/data.parquet");
        assertThat(TableFiles.shards(one.getParent())).containsExactly(one);

        // a folder without Parquet files is still an MMLU CSV folder
        Path csv = Files.createDirectories(dir.resolve("mmlu"));
        Files.writeString(csv.resolve("astronomy_test.csv"), "q,a,b,c,d,A\n");
        assertThat(TableFiles.isTable(csv)).isFalse();
        assertThat(McqaDatasets.detect(csv)).isEqualTo(McqaFormat.MMLU_CSV);
    }

    @Test
    void tableRowErrorsNameTheRowIndex() {
        Path f = Path.of("x.parquet");
        DatasetFormatException e = DatasetFormatException.atRow(f, 0, "bad", null);
        assertThat(e).hasMessage("x.parquet: row 0: bad");
        assertThat(e.rowIndex()).hasValue(0);
        assertThat(e.line()).isZero();
        assertThat(new DatasetFormatException(f, 3, "bad").rowIndex()).isEmpty();
        assertThat(RowLocation.rowIndex(f, 17).defaultId()).isEqualTo("x.parquet#17");
        assertThat(RowLocation.line(f, 17).defaultId()).isEqualTo("x.parquet:17");
    }
}
