package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.safetensors.SafetensorsFormatException.Reason;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * An HF sharded checkpoint: {@code model.safetensors.index.json} ({@code {"metadata": {...}, "weight_map": {tensor:
 * shard file}}}) plus the shard files it names, all in one folder. Opening parses the index, opens every shard and
 * checks that each shard holds the tensors the index assigns to it. Tensors present in a shard but absent from the
 * index are not exposed.
 */
public final class ShardedCheckpoint implements Checkpoint {
    private final Path folder;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsFile> byTensor;
    private final List<SafetensorsFile> shards;

    private ShardedCheckpoint(Path folder, Map<String, String> metadata, Map<String, SafetensorsFile> byTensor,
            List<SafetensorsFile> shards) {
        this.folder = folder;
        this.metadata = metadata;
        this.byTensor = byTensor;
        this.shards = shards;
    }

    /**
     * Opens the sharded checkpoint in {@code modelDir} (or given its index file directly).
     *
     * @param modelDir the model folder, or its {@code model.safetensors.index.json}
     * @return the open checkpoint; close it to close the shards
     * @throws SafetensorsFormatException naming the folder or file: {@link Reason#NO_CHECKPOINT} without an index,
     *     {@link Reason#BAD_INDEX}, {@link Reason#MISSING_SHARD}, {@link Reason#SHARD_LACKS_TENSOR}, or any problem
     *     in a shard's header
     */
    public static ShardedCheckpoint open(Path modelDir) {
        Path index = Files.isDirectory(modelDir) ? modelDir.resolve(INDEX_FILE) : modelDir;
        Path folder = index.toAbsolutePath().getParent();
        if (!Files.isRegularFile(index)) {
            throw new SafetensorsFormatException(modelDir, null, Reason.NO_CHECKPOINT,
                    "no " + INDEX_FILE + " in this folder");
        }
        JsonNode root = readIndex(index);
        Map<String, String> metadata = parseMetadata(index, root.get("metadata"));
        Map<String, String> weightMap = parseWeightMap(index, root.get("weight_map"));

        Map<String, SafetensorsFile> openShards = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> byTensor = new TreeMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String tensor = e.getKey();
                SafetensorsFile shard = openShards.get(e.getValue());
                if (shard == null) {
                    shard = SafetensorsFile.open(resolveShard(index, folder, tensor, e.getValue()));
                    openShards.put(e.getValue(), shard);
                }
                if (!shard.contains(tensor)) {
                    throw new SafetensorsFormatException(shard.path(), tensor, Reason.SHARD_LACKS_TENSOR,
                            INDEX_FILE + " assigns this tensor to the shard, but the shard does not hold it");
                }
                byTensor.put(tensor, shard);
            }
            Path shown = Files.isDirectory(modelDir) ? modelDir : folder;
            return new ShardedCheckpoint(shown, metadata, Collections.unmodifiableMap(byTensor),
                    List.copyOf(openShards.values()));
        } catch (RuntimeException e) {
            closeAll(openShards.values(), e);
            throw e;
        }
    }

    private static JsonNode readIndex(Path index) {
        JsonNode root;
        try {
            root = SafetensorsHeader.JSON.readTree(index.toFile());
        } catch (JacksonException e) {
            throw new SafetensorsFormatException(index, null, Reason.BAD_INDEX,
                    "index is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new BayesLoraException("cannot read checkpoint index " + index + ": " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(index, null, Reason.BAD_INDEX, "index is not a JSON object");
        }
        return root;
    }

    /** Index metadata values as text ({@code total_size} is a number in HF indexes). */
    private static Map<String, String> parseMetadata(Path index, JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new SafetensorsFormatException(index, null, Reason.BAD_INDEX, "\"metadata\" must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, String> parseWeightMap(Path index, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new SafetensorsFormatException(index, null, Reason.BAD_INDEX,
                    "\"weight_map\" must be an object mapping tensor names to shard file names");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(index, e.getKey(), Reason.BAD_INDEX,
                        "weight_map value must be a shard file name, found " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** The shard's path; it must lie inside the folder and exist. */
    private static Path resolveShard(Path index, Path folder, String tensor, String shardName) {
        Path shard = folder.resolve(shardName).normalize();
        if (!shard.startsWith(folder.normalize()) || shard.equals(folder.normalize())) {
            throw new SafetensorsFormatException(index, tensor, Reason.BAD_INDEX,
                    "shard file name '" + shardName + "' points outside the folder " + folder);
        }
        if (!Files.isRegularFile(shard)) {
            throw new SafetensorsFormatException(index, tensor, Reason.MISSING_SHARD, "index assigns the tensor to "
                    + "shard '" + shardName + "', which is missing from folder " + folder);
        }
        return shard;
    }

    /** The model folder. */
    @Override
    public Path path() {
        return folder;
    }

    /** The index's {@code "metadata"}, values as text. */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    @Override
    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shardOf(name).info(name);
    }

    @Override
    public ByteBuffer rawBytes(String name) {
        return shardOf(name).rawBytes(name);
    }

    @Override
    public Tensor tensor(String name, ScalarType target, Device device) {
        return shardOf(name).tensor(name, target, device);
    }

    /**
     * The shard file holding {@code name}.
     *
     * @param name a tensor name
     * @return the shard's path
     * @throws MissingTensorException naming the folder if the index does not list the tensor
     */
    public Path shardPath(String name) {
        return shardOf(name).path();
    }

    private SafetensorsFile shardOf(String name) {
        SafetensorsFile shard = byTensor.get(name);
        if (shard == null) {
            throw new MissingTensorException(folder, name, names());
        }
        return shard;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SafetensorsFile s : shards) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeAll(Iterable<SafetensorsFile> files, Exception primary) {
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException suppressed) {
                primary.addSuppressed(suppressed);
            }
        }
    }

    @Override
    public String toString() {
        return "ShardedCheckpoint[" + folder + ", " + shards.size() + " shards, " + byTensor.size() + " tensors]";
    }
}
