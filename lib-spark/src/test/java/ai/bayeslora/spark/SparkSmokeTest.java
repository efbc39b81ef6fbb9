package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.data.BundledData;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The shared executor model: one load per JVM, whichever task thread asks first. */
class SparkSmokeTest {
    @Test
    void tasksShareOneModelPerJvm() {
        SparkModel spec = SparkTests.model(BundledData.tinyLlamaModel().toString());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTests.session().sparkContext());
        List<Integer> ids = sc.parallelize(List.of(1, 2, 3, 4), 4)
                .map(i -> System.identityHashCode(spec.shared())).distinct().collect();
        assertThat(ids).hasSize(1);
        BayesLora here = spec.shared();
        assertThat(ids.get(0)).isEqualTo(System.identityHashCode(here)); // local mode: the driver JVM is the executor
    }
}
