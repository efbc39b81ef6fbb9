package ai.bayeslora.examples.bench;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The random ~110M Llama of {@link ForwardBenchmark} as an HF model folder (config.json, model.safetensors in
 * float32, and the bundled tiny model's tokenizer, whose 400 ids all lie inside the 32,000-token vocabulary), for
 * benchmarks that load models by path (a Spark executor does). Written once into a folder and reused.
 */
final class RandomModelFolder {
    private RandomModelFolder() {
    }

    /** The model config as the folder's config.json holds it (tiny model's special token ids). */
    static String configJson(int layers) {
        return "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"vocab_size\":32000,"
                + "\"hidden_size\":768,\"intermediate_size\":2048,\"num_hidden_layers\":" + layers + ","
                + "\"num_attention_heads\":12,\"num_key_value_heads\":12,\"rms_norm_eps\":1e-5,"
                + "\"tie_word_embeddings\":true,\"max_position_embeddings\":4096,\"bos_token_id\":1,"
                + "\"eos_token_id\":2,\"pad_token_id\":0,\"torch_dtype\":\"float32\"}";
    }

    /**
     * The folder {@code dir}, written unless a folder this method wrote is already there.
     *
     * @param dir where the model goes
     * @param layers decoder layers
     * @return {@code dir}
     */
    static Path write(Path dir, int layers) {
        AtomicOutput.writeFolderOnce(dir, "bench-random-model", tmp -> {
            String json = configJson(layers);
            ModelConfig c = HfConfigParser.parse(json, "bench-llama-110m");
            Files.writeString(tmp.resolve("config.json"), json);
            Files.copy(BundledData.tinyLlamaModel().resolve("tokenizer.json"), tmp.resolve("tokenizer.json"));
            try (NativeScope scope = NativeScope.open(); RandomWeights w = new RandomWeights(c, 0.02, 0)) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                Device cpu = new Device(torch.DeviceType.CPU);
                for (String name : w.names()) {
                    tensors.put(name, w.load(name, torch.ScalarType.Float, cpu));
                }
                SafetensorsWriter.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            }
        });
        return dir;
    }
}
