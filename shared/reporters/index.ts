export { buildNewmanReport, type NewmanReport, type ReportContext } from "./newman-json";
export { buildJUnitReport, xmlEscape } from "./junit";
export { formatSummaryTable } from "./summary";
