// Writes lib-parquet's test fixtures with an independent Parquet writer (hyparquet-writer, JavaScript), so that
// the Java reader (parquet-java) is tested on files it did not write. The schemas are those of the HF datasets'
// Parquet files (pyarrow's layout: optional columns, strings as BYTE_ARRAY/UTF8, lists as three-level LIST groups
// "list"/"element", structs as plain groups); the rows are made up. Each file is read back with hyparquet and
// printed, so a rerun shows what the fixtures hold.
//
// Rerun (Node 20+):
//   cd lib-parquet/src/test/parquet-fixtures && npm install && node make-fixtures.mjs
// and commit the changed files under ../resources/ai/bayeslora/parquet/ (node_modules/ is git-ignored).
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parquetWriteFile } from 'hyparquet-writer'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import zstdCodec from 'zstd-codec'

const { ZstdCodec } = zstdCodec

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'ai', 'bayeslora', 'parquet')
mkdirSync(out, { recursive: true })

// schema elements as pyarrow writes them
const str = (name) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' })
const i64 = (name) => ({ name, type: 'INT64', repetition_type: 'OPTIONAL' })
const i32 = (name) => ({ name, type: 'INT32', repetition_type: 'OPTIONAL' })
const bool = (name) => ({ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' })
const strList = (name) => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  str('element'),
]
const struct = (name, ...children) => [
  { name, repetition_type: 'OPTIONAL', num_children: children.length }, ...children.flat(),
]
// top-level columns: a column is one schema element or a list of them (a group and its children)
const schemaOf = (columns) => [{ name: 'schema', num_children: columns.length }, ...columns.flat()]
const topName = (c) => (Array.isArray(c) ? c[0].name : c.name)

function write(file, columns, rows, options = {}) {
  const path = join(out, file)
  mkdirSync(dirname(path), { recursive: true })
  parquetWriteFile({
    filename: path,
    schema: schemaOf(columns),
    columnData: columns.map(topName).map((name) => ({ name, data: rows.map((r) => r[name] ?? null) })),
    ...options,
  })
  const bytes = readFileSync(path)
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)
  const meta = parquetMetadata(buf)
  const codecs = [...new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data.codec)))]
  console.log(`${file}: ${meta.num_rows} rows, ${meta.row_groups.length} row group(s), ${codecs.join('/') || '-'}, `
    + `${bytes.length} bytes`)
  return buf
}

async function show(buf) {
  const rows = await parquetReadObjects({ file: buf })
  for (const r of rows) console.log('  ' + JSON.stringify(r, (k, v) => (typeof v === 'bigint' ? Number(v) : v)))
}

// allenai/ai2_arc (ARC-Challenge test): one row with numeric labels, a 3-choice and a 5-choice row
const arcColumns = [str('id'), str('question'), struct('choices', strList('text'), strList('label')), str('answerKey')]
const arcRows = [
  { id: 'arc-1', question: 'Which gas do plants take in to make sugar?',
    choices: { text: ['oxygen', 'carbon dioxide', 'nitrogen', 'helium'], label: ['A', 'B', 'C', 'D'] }, answerKey: 'B' },
  { id: 'arc-2', question: 'What is the main source of energy for the water cycle?',
    choices: { text: ['the Moon', 'the Sun', 'the wind', 'the ocean floor'], label: ['1', '2', '3', '4'] }, answerKey: '2' },
  { id: 'arc-3', question: 'Which of these is a mammal?',
    choices: { text: ['shark', 'whale', 'trout'], label: ['A', 'B', 'C'] }, answerKey: 'B' },
  { id: 'arc-4', question: 'Which tool measures air pressure?',
    choices: { text: ['thermometer', 'barometer', 'ruler', 'scale', 'compass'], label: ['A', 'B', 'C', 'D', 'E'] },
    answerKey: 'B' },
]
await show(write('arc-challenge-test.parquet', arcColumns, arcRows))
// the same rows in row groups of two, compressed with gzip instead of snappy
write('arc-challenge-test-gzip.parquet', arcColumns, arcRows,
  { codec: 'GZIP', compressors: { GZIP: (b) => gzipSync(b) }, rowGroupSize: 2 })

// and compressed with zstd (as some HF repositories are)
const zstd = await new Promise((resolve) => ZstdCodec.run((z) => resolve(new z.Simple())))
write('arc-challenge-test-zstd.parquet', arcColumns, arcRows,
  { codec: 'ZSTD', compressors: { ZSTD: (b) => zstd.compress(b) } })

// allenai/openbookqa (main)
await show(write('openbookqa-test.parquet',
  [str('id'), str('question_stem'), struct('choices', strList('text'), strList('label')), str('answerKey')], [
    { id: 'obqa-1', question_stem: 'A magnet will stick to',
      choices: { text: ['a wooden spoon', 'an iron nail', 'a glass cup', 'a paper bag'], label: ['A', 'B', 'C', 'D'] },
      answerKey: 'B' },
    { id: 'obqa-2', question_stem: 'Ice melting is an example of',
      choices: { text: ['a chemical change', 'evaporation', 'a phase change', 'condensation'], label: ['A', 'B', 'C', 'D'] },
      answerKey: 'C' },
  ]))

// google/boolq (validation), uncompressed
await show(write('boolq-validation.parquet', [str('question'), bool('answer'), str('passage')], [
  { question: 'is the sun a star', answer: true, passage: 'The Sun is the star at the centre of the Solar System.' },
  { question: 'can penguins fly', answer: false, passage: 'Penguins are flightless birds that live in the south.' },
], { codec: 'UNCOMPRESSED' }))

// super_glue boolq (validation, plus a test-split row with label -1)
await show(write('super-glue-boolq-validation.parquet', [str('question'), str('passage'), i32('idx'), i64('label')], [
  { question: 'is water wet', passage: 'Water makes things wet when it touches them.', idx: 0, label: 1n },
  { question: 'is the moon made of cheese', passage: 'The Moon is made of rock.', idx: 1, label: 0n },
  { question: 'is glass a liquid', passage: 'Glass is an amorphous solid.', idx: 2, label: -1n },
]))

// allenai/winogrande (winogrande_xl validation; the test split has answer "")
await show(write('winogrande-validation.parquet', [str('sentence'), str('option1'), str('option2'), str('answer')], [
  { sentence: 'The trophy does not fit in the suitcase because _ is too big.', option1: 'the trophy',
    option2: 'the suitcase', answer: '1' },
  { sentence: 'Anna lent Maria a pen because _ had forgotten hers.', option1: 'Anna', option2: 'Maria', answer: '2' },
  { sentence: 'The cat chased the mouse until _ was tired.', option1: 'the cat', option2: 'the mouse', answer: '' },
]))

// tau/commonsense_qa (validation): one file, and the same rows as a folder of two shards
const cqaColumns = [str('id'), str('question'), str('question_concept'),
  struct('choices', strList('label'), strList('text')), str('answerKey')]
const cqaRows = [
  { id: 'cqa-1', question: 'Where would you keep milk cold?', question_concept: 'milk',
    choices: { label: ['A', 'B', 'C', 'D', 'E'], text: ['refrigerator', 'oven', 'garden', 'closet', 'car'] }, answerKey: 'A' },
  { id: 'cqa-2', question: 'What do people use to write on paper?', question_concept: 'write',
    choices: { label: ['A', 'B', 'C', 'D', 'E'], text: ['spoon', 'pen', 'shoe', 'plate', 'rope'] }, answerKey: 'B' },
  { id: 'cqa-3', question: 'Where do fish live?', question_concept: 'fish',
    choices: { label: ['A', 'B', 'C', 'D', 'E'], text: ['desert', 'attic', 'water', 'library', 'road'] }, answerKey: 'C' },
]
await show(write('commonsense-qa-validation.parquet', cqaColumns, cqaRows))
rmSync(join(out, 'cqa-shards'), { recursive: true, force: true })
write('cqa-shards/validation-00000-of-00002.parquet', cqaColumns, cqaRows.slice(0, 2))
write('cqa-shards/validation-00001-of-00002.parquet', cqaColumns, cqaRows.slice(2))

// cais/mmlu (test of two subjects): choices a plain list of strings, answer an int64 index
const mmluColumns = [str('question'), str('subject'), strList('choices'), i64('answer')]
await show(write('mmlu-test.parquet', mmluColumns, [
  { question: 'What is 7 times 8?', subject: 'elementary_mathematics', choices: ['54', '56', '58', '64'], answer: 1n },
  { question: 'Which planet is known as the Red Planet?', subject: 'astronomy',
    choices: ['Venus', 'Jupiter', 'Mars', 'Saturn'], answer: 2n },
]))

// a nested layout the HF files do not use but other exports do: CommonsenseQA's official form as Parquet (a struct
// holding a list of structs). (The legacy two-level lists, a repeated leaf in the LIST group, hyparquet-writer
// cannot write.)
await show(write('cqa-official-nested.parquet', [str('id'),
  struct('question', str('question_concept'), [
    { name: 'choices', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 }, str('label'), str('text'),
  ], str('stem')), str('answerKey')], cqaRows.map((r) => ({
  id: r.id,
  question: { question_concept: r.question_concept, stem: r.question,
    choices: r.choices.label.map((label, i) => ({ label, text: r.choices.text[i] })) },
  answerKey: r.answerKey,
}))))
// bad files, each with one fault
write('bad/arc-question-int.parquet', [i64('id'), i64('question'),
  struct('choices', strList('text'), strList('label')), str('answerKey')],
  [{ id: 1n, question: 42n, choices: { text: ['a', 'b'], label: ['A', 'B'] }, answerKey: 'A' }])
write('bad/arc-no-choices.parquet', [str('id'), str('question'), str('answerKey')],
  [{ id: 'x', question: 'A question without choices?', answerKey: 'A' }])
write('bad/mmlu-null-question.parquet', mmluColumns, [
  { question: 'Fine?', subject: 'astronomy', choices: ['a', 'b', 'c', 'd'], answer: 0n },
  { question: null, subject: 'astronomy', choices: ['a', 'b', 'c', 'd'], answer: 1n },
])
write('bad/mmlu-answer-out-of-range.parquet', mmluColumns, [
  { question: 'Fine?', subject: 'astronomy', choices: ['a', 'b', 'c', 'd'], answer: 0n },
  { question: 'Which?', subject: 'astronomy', choices: ['a', 'b', 'c', 'd'], answer: 0n },
  { question: 'Out of range?', subject: 'astronomy', choices: ['a', 'b', 'c', 'd'], answer: 7n },
], { rowGroupSize: 2 })
write('bad/boolq-not-utf8.parquet', [str('question'), bool('answer'), str('passage')], [
  { question: 'fine', answer: true, passage: 'ok' },
  { question: new Uint8Array([0x69, 0x73, 0x20, 0xff, 0xfe]), answer: false, passage: 'ok' },
])
write('bad/mmlu-empty.parquet', mmluColumns, [])
