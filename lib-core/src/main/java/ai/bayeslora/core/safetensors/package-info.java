/**
 * Reading and writing the safetensors format (HF checkpoints): {@link ai.bayeslora.core.safetensors.Checkpoint#open}
 * for a file or model folder, {@link ai.bayeslora.core.safetensors.SafetensorsFile} for one file,
 * {@link ai.bayeslora.core.safetensors.ShardedCheckpoint} for an indexed multi-file checkpoint, and
 * {@link ai.bayeslora.core.safetensors.SafetensorsWriter} for atomic writes.
 *
 * <p>Format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}}}), then the data buffer;
 * offsets are relative to its start. Loaded tensors own their memory and belong to the caller.
 *
 * <p>Tensor level (docs/API.md, "Tensors in signatures"): a checkpoint is a set of named libtorch tensors, so the
 * readers and the writer take and return them.
 */
package ai.bayeslora.core.safetensors;
