package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Rows round-trip to the same questions, through a real DataFrame; bad rows name the row and the column. */
class McqaFramesTest {
    @Test
    void questionsRoundTripThroughADataFrame() {
        McqaDataset d = BundledData.syntheticMcqaTrain();
        List<Row> collected = McqaFrames.toFrame(SparkTests.session(), d, 3).collectAsList();
        assertThat(collected).hasSize(d.size());
        for (int i = 0; i < d.size(); i++) {
            assertThat(McqaFrames.toExample(collected.get(i), i)).isEqualTo(d.get(i));
        }
    }

    @Test
    void defaultsAndErrorsNameTheRow() {
        StructType schema = new StructType().add("question", DataTypes.StringType)
                .add("choices", DataTypes.createArrayType(DataTypes.StringType));
        Row ok = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                new Object[] {"Q?", scala.jdk.javaapi.CollectionConverters.asScala(List.of("x", "y")).toSeq()}, schema);
        McqaExample e = McqaFrames.toExample(ok, 7);
        assertThat(e.id()).isEqualTo("row-7");
        assertThat(e.labels()).containsExactly("A", "B");
        assertThat(e.answer()).isEqualTo(-1);
        assertThatThrownBy(() -> McqaFrames.toExample(
                new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {"x"},
                        new StructType().add("id", DataTypes.StringType)), 0))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining("row x").hasMessageContaining("question");
    }
}
