export { collectionItems, type ReportFolder, type ReportItem } from "./collection-json";
export { htmlReport } from "./html";
export { buildJUnitReport, xmlEscape } from "./junit";
export { buildNewmanReport, type NewmanReport, type ReportContext } from "./newman-json";
