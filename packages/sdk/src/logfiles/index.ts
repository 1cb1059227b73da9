export { CsvLogReader, type CsvLogRow, parseLogNumber, splitCsvLine } from "./csv/csv-log-reader.ts";
export { type LogFilesProblem, LogFilesTail, metricKeyFor, type PointSink } from "./log-files-tail.ts";
export {
  EventFileReader,
  type EventFileReaderState,
  type ScalarEvent,
} from "./tensorboard/event-file-reader.ts";
export {
  eventFileBytes,
  fileVersionRecord,
  type ScalarEncoding,
  type ScalarToWrite,
  scalarRecord,
} from "./tensorboard/event-file-writer.ts";
export { frameRecord, maskedCrc32c, RecordChecksumError } from "./tensorboard/record-framing.ts";
export {
  findLogFiles,
  isEventFileName,
  type LogFileFound,
  type LogFileKind,
  type WatchRoot,
  watchRootOf,
} from "./watch-roots.ts";
