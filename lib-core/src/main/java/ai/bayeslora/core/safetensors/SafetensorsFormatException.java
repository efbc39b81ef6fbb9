package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A safetensors file, or a sharded checkpoint folder, is malformed or incomplete. The message names the file (or
 * folder) and, where one is at fault, the tensor; {@link #reason()} tells the cases apart programmatically.
 */
public class SafetensorsFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Reason {
        /** The file ends before the 8-byte header length, or before a tensor's data ends. */
        TRUNCATED,
        /** The declared header length runs past the end of the file, or is absurdly large. */
        BAD_HEADER_LENGTH,
        /** The header is not valid UTF-8 JSON, or not a JSON object. */
        INVALID_JSON,
        /** A header entry has the wrong structure (not an object, missing field, non-string metadata value). */
        INVALID_ENTRY,
        /** A {@code "dtype"} that safetensors does not define. */
        UNKNOWN_DTYPE,
        /** A shape that is not an array of non-negative integers, or whose element count overflows. */
        BAD_SHAPE,
        /** {@code "data_offsets"} is not two non-negative integers with begin &lt;= end. */
        BAD_OFFSETS,
        /** {@code end - begin} differs from numel times the dtype size. */
        SIZE_MISMATCH,
        /** Two tensors' byte ranges overlap. */
        OVERLAP,
        /** Bytes of the data buffer that no tensor covers: a gap between tensors, or a tail after the last. */
        UNCOVERED_BYTES,
        /** A tensor asked for by name is not there. */
        MISSING_TENSOR,
        /** A checkpoint folder holds neither {@code model.safetensors.index.json} nor {@code model.safetensors}. */
        NO_CHECKPOINT,
        /** {@code model.safetensors.index.json} is malformed. */
        BAD_INDEX,
        /** The index names a shard file that does not exist. */
        MISSING_SHARD,
        /** A shard lacks a tensor that the index assigns to it. */
        SHARD_LACKS_TENSOR
    }

    private final transient Path file;
    /** The tensor at fault, or null. */
    private final String tensorName;
    /** The kind of problem. */
    private final Reason reason;

    /**
     * @param file the file or folder at fault
     * @param tensorName the tensor at fault, or null
     * @param reason the kind of problem
     * @param detail what is wrong, without the file and tensor name (they are prepended)
     */
    public SafetensorsFormatException(Path file, String tensorName, Reason reason, String detail) {
        this(file, tensorName, reason, detail, null);
    }

    /**
     * As {@link #SafetensorsFormatException(Path, String, Reason, String)}, with a cause.
     *
     * @param file the file or folder at fault
     * @param tensorName the tensor at fault, or null
     * @param reason the kind of problem
     * @param detail what is wrong, without the file and tensor name (they are prepended)
     * @param cause the error behind it, for example a JSON parse error
     */
    public SafetensorsFormatException(Path file, String tensorName, Reason reason, String detail, Throwable cause) {
        super(format(file, tensorName, detail), cause);
        this.file = file;
        this.tensorName = tensorName;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String format(Path file, String tensorName, String detail) {
        StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (tensorName != null) {
            sb.append(": tensor '").append(tensorName).append('\'');
        }
        return sb.append(": ").append(detail).toString();
    }

    /** {@return the file or folder at fault} */
    public Path file() {
        return file;
    }

    /** {@return the tensor at fault, if the problem concerns one} */
    public Optional<String> tensorName() {
        return Optional.ofNullable(tensorName);
    }

    /** {@return what is wrong} */
    public Reason reason() {
        return reason;
    }
}
