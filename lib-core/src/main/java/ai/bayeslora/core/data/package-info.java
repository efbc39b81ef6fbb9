/**
 * Multiple-choice datasets and how they become model input (docs/METHODS.md §1).
 *
 * <ul>
 *   <li>Loading: {@link ai.bayeslora.core.data.McqaDatasets#load} reads MMLU CSV, the HF JSONL and Parquet layouts
 *       of MMLU, ARC, OpenBookQA, CommonsenseQA, BoolQ and WinoGrande, and a generic JSONL
 *       ({@link ai.bayeslora.core.data.McqaFormat}), with the split, subject and choice-count policy of
 *       {@link ai.bayeslora.core.data.McqaLoadOptions}; {@link ai.bayeslora.core.data.BundledData} holds small bundled
 *       datasets. A malformed row is a {@link ai.bayeslora.core.data.DatasetFormatException} naming the file and line
 *       (or row).</li>
 *   <li>The data: {@link ai.bayeslora.core.data.McqaDataset} of {@link ai.bayeslora.core.data.McqaExample}s, with
 *       its class labels; {@link ai.bayeslora.core.data.MmluGroups} for MMLU's subject groups.</li>
 *   <li>Prompts: {@link ai.bayeslora.core.data.PromptTemplate} (configurable) and the papers' formats in
 *       {@link ai.bayeslora.core.data.PaperPrompts}, both {@link ai.bayeslora.core.data.PromptFormat}s.</li>
 *   <li>Batches: {@link ai.bayeslora.core.data.McqaBatcher} renders, tokenises, truncates from the left and
 *       left-pads into {@link ai.bayeslora.core.data.EncodedBatch}es.</li>
 * </ul>
 * An {@link ai.bayeslora.core.data.EncodedBatch} holds its token ids as Java arrays; its {@code ...Tensor()}
 * accessors are the tensor level that feeds the model (docs/API.md, "Tensors in signatures").
 */
package ai.bayeslora.core.data;
