/**
 * Postman's dynamic variables (`{{$guid}}`, `{{$timestamp}}`, the faker-backed `{{$random…}}` family).
 * Implemented with small built-in word lists instead of faker (which would cost ~2 MB of bundle):
 * the values have the same shapes, which is what collections assert on.
 */
export type DynamicResolver = (name: string) => string | undefined;

const FIRST = [
  "Ann",
  "Bob",
  "Carla",
  "Dmitri",
  "Elena",
  "Farah",
  "Gus",
  "Hiro",
  "Ines",
  "Jamal",
  "Kofi",
  "Lena",
  "Mateo",
  "Nia",
  "Omar",
  "Priya",
];
const LAST = [
  "Smith",
  "Garcia",
  "Chen",
  "Okafor",
  "Novak",
  "Silva",
  "Kim",
  "Müller",
  "Rossi",
  "Haddad",
  "Ivanova",
  "Tanaka",
];
const WORDS = [
  "alpha",
  "bravo",
  "delta",
  "ember",
  "fable",
  "glade",
  "harbor",
  "iris",
  "jade",
  "kernel",
  "lumen",
  "mosaic",
  "nimbus",
  "orbit",
  "prism",
  "quartz",
  "raven",
  "sierra",
  "tundra",
  "umber",
  "vortex",
  "willow",
];
const LOREM = [
  "lorem",
  "ipsum",
  "dolor",
  "sit",
  "amet",
  "consectetur",
  "adipiscing",
  "elit",
  "sed",
  "do",
  "eiusmod",
  "tempor",
  "incididunt",
  "ut",
  "labore",
  "et",
  "dolore",
  "magna",
  "aliqua",
];
const CITIES = [
  "Lisbon",
  "Osaka",
  "Nairobi",
  "Toronto",
  "Lyon",
  "Austin",
  "Porto",
  "Tallinn",
  "Quito",
  "Perth",
];
const COUNTRIES: Array<[string, string]> = [
  ["Portugal", "PT"],
  ["Japan", "JP"],
  ["Kenya", "KE"],
  ["Canada", "CA"],
  ["France", "FR"],
  ["United States", "US"],
  ["Estonia", "EE"],
  ["Ecuador", "EC"],
  ["Australia", "AU"],
];
const STREETS = ["Oak", "Maple", "Harbor", "Mill", "Station", "Church", "Park", "River"];
const SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Way"];
const DOMAINS = ["com", "net", "org", "io", "info", "biz"];
const COLORS = ["red", "green", "blue", "teal", "orange", "purple", "silver", "gold", "maroon", "olive"];
const CURRENCIES: Array<[string, string, string]> = [
  ["USD", "US Dollar", "$"],
  ["EUR", "Euro", "€"],
  ["GBP", "Pound Sterling", "£"],
  ["JPY", "Yen", "¥"],
  ["INR", "Indian Rupee", "₹"],
];
const JOB_AREAS = [
  "Solutions",
  "Program",
  "Brand",
  "Security",
  "Research",
  "Marketing",
  "Directives",
  "Implementation",
  "Integration",
];
const JOB_DESC = [
  "Lead",
  "Senior",
  "Direct",
  "Corporate",
  "Dynamic",
  "Future",
  "Product",
  "National",
  "Regional",
  "Central",
];
const JOB_TYPES = [
  "Supervisor",
  "Associate",
  "Executive",
  "Liaison",
  "Officer",
  "Manager",
  "Engineer",
  "Specialist",
  "Director",
];
const COMPANY_SUFFIX = ["Inc", "LLC", "Group", "and Sons"];
const ADJ = [
  "Small",
  "Ergonomic",
  "Rustic",
  "Intelligent",
  "Gorgeous",
  "Incredible",
  "Fantastic",
  "Practical",
  "Sleek",
  "Awesome",
];
const MATERIAL = [
  "Steel",
  "Wooden",
  "Concrete",
  "Plastic",
  "Cotton",
  "Granite",
  "Rubber",
  "Metal",
  "Soft",
  "Fresh",
];
const PRODUCT = [
  "Chair",
  "Car",
  "Computer",
  "Keyboard",
  "Mouse",
  "Bike",
  "Ball",
  "Gloves",
  "Pants",
  "Shirt",
  "Table",
  "Shoes",
];
const DEPARTMENTS = [
  "Books",
  "Movies",
  "Music",
  "Games",
  "Electronics",
  "Computers",
  "Home",
  "Garden",
  "Tools",
  "Grocery",
];
const NOUNS = [
  "bandwidth",
  "protocol",
  "array",
  "driver",
  "panel",
  "alarm",
  "pixel",
  "circuit",
  "interface",
  "matrix",
  "firewall",
  "sensor",
];
const VERBS = [
  "connect",
  "parse",
  "navigate",
  "index",
  "compress",
  "override",
  "bypass",
  "quantify",
  "transmit",
  "reboot",
  "synthesize",
];
const INGVERBS = [
  "connecting",
  "parsing",
  "navigating",
  "indexing",
  "compressing",
  "overriding",
  "bypassing",
  "transmitting",
];
const ADJECTIVES = [
  "auxiliary",
  "primary",
  "back-end",
  "digital",
  "open-source",
  "virtual",
  "cross-platform",
  "redundant",
  "online",
];
const ABBREV = [
  "TCP",
  "HTTP",
  "SDD",
  "RAM",
  "GB",
  "CSS",
  "SSL",
  "AGP",
  "SQL",
  "FTP",
  "PCI",
  "AI",
  "ADP",
  "RSS",
  "XML",
  "EXE",
  "COM",
  "HDD",
  "THX",
  "SMTP",
  "SMS",
  "USB",
  "PNG",
  "XSS",
  "SCSI",
  "JSON",
  "JBOD",
  "IB",
];
const MIME = [
  ["application/json", "json"],
  ["text/plain", "txt"],
  ["image/png", "png"],
  ["application/pdf", "pdf"],
  ["text/html", "html"],
  ["image/jpeg", "jpeg"],
];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const LOCALES = ["en", "de", "fr", "es", "pt_BR", "ja", "ko", "nl", "sv", "it"];
const PROTOCOLS = ["http", "https"];
const DB_COLUMNS = [
  "id",
  "title",
  "name",
  "email",
  "password",
  "token",
  "group",
  "category",
  "status",
  "createdAt",
  "updatedAt",
  "comment",
];
const DB_TYPES = ["int", "varchar", "text", "date", "boolean", "double", "blob", "timestamp", "json", "enum"];
const DB_COLLATIONS = [
  "utf8_unicode_ci",
  "utf8_general_ci",
  "utf8_bin",
  "ascii_bin",
  "ascii_general_ci",
  "cp1250_bin",
];
const DB_ENGINES = ["InnoDB", "MyISAM", "MEMORY", "CSV", "BLACKHOLE", "ARCHIVE"];
const TRANSACTIONS = ["deposit", "withdrawal", "payment", "invoice"];
const PREFIXES = ["Mr.", "Mrs.", "Ms.", "Miss", "Dr."];
const NAME_SUFFIXES = ["Jr.", "Sr.", "I", "II", "III", "IV", "V", "MD", "DDS", "PhD", "DVM"];
const UA = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
];
const CATCH1 = [
  "Adaptive",
  "Balanced",
  "Centralized",
  "Cloned",
  "Customizable",
  "Distributed",
  "Enhanced",
  "Fundamental",
];
const CATCH2 = [
  "24 hour",
  "asymmetric",
  "bi-directional",
  "client-driven",
  "context-sensitive",
  "dynamic",
  "fresh-thinking",
];
const CATCH3 = [
  "ability",
  "access",
  "adapter",
  "algorithm",
  "alliance",
  "analyzer",
  "application",
  "approach",
  "architecture",
];
const BS1 = [
  "implement",
  "utilize",
  "integrate",
  "streamline",
  "optimize",
  "evolve",
  "transform",
  "embrace",
  "enable",
];
const BS2 = [
  "clicks-and-mortar",
  "value-added",
  "vertical",
  "proactive",
  "robust",
  "revolutionary",
  "scalable",
  "leading-edge",
];
const BS3 = [
  "synergies",
  "web-readiness",
  "paradigms",
  "markets",
  "partnerships",
  "infrastructures",
  "platforms",
  "initiatives",
];
const FILE_EXT = ["pdf", "txt", "png", "json", "csv", "mp3", "zip", "html"];

/** Creates a resolver; `random` and `now` are injected so runs and tests can be deterministic. */
export function createDynamicResolver(random: () => number, now: () => number): DynamicResolver {
  const int = (min: number, max: number) => Math.floor(random() * (max - min + 1)) + min;
  const pick = <T>(list: readonly T[]): T => list[int(0, list.length - 1)]!;
  const hex = (n: number) => Array.from({ length: n }, () => int(0, 15).toString(16)).join("");
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");
  const alnum = (n: number) =>
    Array.from({ length: n }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[int(0, 35)]).join("");
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[int(0, 3)]}${hex(3)}-${hex(12)}`;
  const words = (n: number, list = LOREM) => Array.from({ length: n }, () => pick(list)).join(" ");
  const sentence = () => {
    const s = words(int(5, 10));
    return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
  };
  const first = () => pick(FIRST);
  const last = () => pick(LAST);
  const domainWord = () => pick(WORDS);
  const domain = () => `${domainWord()}.${pick(DOMAINS)}`;
  const user = () => `${first()}.${last()}${int(0, 99)}`.replace(/[^A-Za-z0-9._]/g, "");
  const date = (offsetDays: number) => new Date(now() + offsetDays * 86400_000).toString();
  const country = () => pick(COUNTRIES);
  const currency = () => pick(CURRENCIES);
  const mime = () => pick(MIME);

  const table: Record<string, () => string> = {
    $guid: uuid,
    $randomUUID: uuid,
    $timestamp: () => String(Math.floor(now() / 1000)),
    $isoTimestamp: () => new Date(now()).toISOString(),
    $randomInt: () => String(int(0, 1000)),
    $randomAlphaNumeric: () => alnum(1),
    $randomBoolean: () => String(random() < 0.5),
    $randomColor: () => pick(COLORS),
    $randomHexColor: () => `#${hex(6)}`,
    $randomAbbreviation: () => pick(ABBREV),
    $randomIP: () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
    $randomIPV6: () => Array.from({ length: 8 }, () => hex(4)).join(":"),
    $randomMACAddress: () => Array.from({ length: 6 }, () => hex(2)).join(":"),
    $randomPassword: () => alnum(15),
    $randomLocale: () => pick(LOCALES),
    $randomUserAgent: () => pick(UA),
    $randomProtocol: () => pick(PROTOCOLS),
    $randomSemver: () => `${int(0, 9)}.${int(0, 9)}.${int(0, 9)}`,
    $randomFirstName: first,
    $randomLastName: last,
    $randomFullName: () => `${first()} ${last()}`,
    $randomNamePrefix: () => pick(PREFIXES),
    $randomNameSuffix: () => pick(NAME_SUFFIXES),
    $randomJobArea: () => pick(JOB_AREAS),
    $randomJobDescriptor: () => pick(JOB_DESC),
    $randomJobTitle: () => `${pick(JOB_DESC)} ${pick(JOB_AREAS)} ${pick(JOB_TYPES)}`,
    $randomJobType: () => pick(JOB_TYPES),
    $randomPhoneNumber: () => `${digits(3)}-${digits(3)}-${digits(4)}`,
    $randomPhoneNumberExt: () => `${digits(2)}-${digits(3)}-${digits(3)}-${digits(4)}`,
    $randomCity: () => pick(CITIES),
    $randomStreetName: () => `${pick(STREETS)} ${pick(SUFFIXES)}`,
    $randomStreetAddress: () => `${int(1, 9999)} ${pick(STREETS)} ${pick(SUFFIXES)}`,
    $randomCountry: () => country()[0],
    $randomCountryCode: () => country()[1],
    $randomLatitude: () => (random() * 180 - 90).toFixed(4),
    $randomLongitude: () => (random() * 360 - 180).toFixed(4),
    $randomAvatarImage: () => `https://cdn.example.com/avatars/${int(1, 1000)}.jpg`,
    $randomImageUrl: () => `https://picsum.photos/640/480?i=${int(1, 1000)}`,
    $randomAbstractImage: () => "https://picsum.photos/640/480?abstract",
    $randomAnimalsImage: () => "https://picsum.photos/640/480?animals",
    $randomBusinessImage: () => "https://picsum.photos/640/480?business",
    $randomCatsImage: () => "https://picsum.photos/640/480?cats",
    $randomCityImage: () => "https://picsum.photos/640/480?city",
    $randomFoodImage: () => "https://picsum.photos/640/480?food",
    $randomNightlifeImage: () => "https://picsum.photos/640/480?nightlife",
    $randomFashionImage: () => "https://picsum.photos/640/480?fashion",
    $randomPeopleImage: () => "https://picsum.photos/640/480?people",
    $randomNatureImage: () => "https://picsum.photos/640/480?nature",
    $randomSportsImage: () => "https://picsum.photos/640/480?sports",
    $randomTransportImage: () => "https://picsum.photos/640/480?transport",
    $randomImageDataUri: () =>
      "data:image/svg+xml;charset=UTF-8,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E",
    $randomBankAccount: () => digits(8),
    $randomBankAccountName: () =>
      pick(["Checking Account", "Savings Account", "Money Market Account", "Auto Loan Account"]),
    $randomCreditCardMask: () => digits(4),
    $randomBankAccountBic: () => `${alnum(4).toUpperCase()}${country()[1]}${alnum(2).toUpperCase()}`,
    $randomBankAccountIban: () => `${country()[1]}${digits(2)}${alnum(4).toUpperCase()}${digits(14)}`,
    $randomTransactionType: () => pick(TRANSACTIONS),
    $randomCurrencyCode: () => currency()[0],
    $randomCurrencyName: () => currency()[1],
    $randomCurrencySymbol: () => currency()[2],
    $randomBitcoin: () => `1${alnum(33)}`,
    $randomPrice: () => (int(100, 100000) / 100).toFixed(2),
    $randomCompanyName: () => `${last()} ${pick(COMPANY_SUFFIX)}`,
    $randomCompanySuffix: () => pick(COMPANY_SUFFIX),
    $randomBs: () => `${pick(BS1)} ${pick(BS2)} ${pick(BS3)}`,
    $randomBsAdjective: () => pick(BS2),
    $randomBsBuzz: () => pick(BS1),
    $randomBsNoun: () => pick(BS3),
    $randomCatchPhrase: () => `${pick(CATCH1)} ${pick(CATCH2)} ${pick(CATCH3)}`,
    $randomCatchPhraseAdjective: () => pick(CATCH1),
    $randomCatchPhraseDescriptor: () => pick(CATCH2),
    $randomCatchPhraseNoun: () => pick(CATCH3),
    $randomDatabaseColumn: () => pick(DB_COLUMNS),
    $randomDatabaseType: () => pick(DB_TYPES),
    $randomDatabaseCollation: () => pick(DB_COLLATIONS),
    $randomDatabaseEngine: () => pick(DB_ENGINES),
    $randomDateFuture: () => date(int(1, 365)),
    $randomDatePast: () => date(-int(1, 365)),
    $randomDateRecent: () => date(-int(0, 1)),
    $randomWeekday: () => pick(WEEKDAYS),
    $randomMonth: () => pick(MONTHS),
    $randomDomainName: domain,
    $randomDomainSuffix: () => pick(DOMAINS),
    $randomDomainWord: domainWord,
    $randomEmail: () => `${user()}@${domain()}`,
    $randomExampleEmail: () => `${user()}@example.${pick(["com", "net", "org"])}`,
    $randomUserName: user,
    $randomUrl: () => `${pick(PROTOCOLS)}://${domain()}`,
    $randomFileName: () => `${domainWord()}_${domainWord()}.${pick(FILE_EXT)}`,
    $randomFileType: () => mime()[0]!.split("/")[0]!,
    $randomFileExt: () => pick(FILE_EXT),
    $randomCommonFileName: () => `${domainWord()}.${pick(["pdf", "mp4", "jpg", "txt"])}`,
    $randomCommonFileType: () => pick(["application", "audio", "image", "text", "video"]),
    $randomCommonFileExt: () => pick(["pdf", "mp4", "jpg", "txt", "html"]),
    $randomFilePath: () => `/${domainWord()}/${domainWord()}.${pick(FILE_EXT)}`,
    $randomDirectoryPath: () => `/${domainWord()}/${domainWord()}`,
    $randomMimeType: () => mime()[0]!,
    $randomProductName: () => `${pick(ADJ)} ${pick(MATERIAL)} ${pick(PRODUCT)}`,
    $randomProduct: () => pick(PRODUCT),
    $randomProductAdjective: () => pick(ADJ),
    $randomProductMaterial: () => pick(MATERIAL),
    $randomDepartment: () => pick(DEPARTMENTS),
    $randomNoun: () => pick(NOUNS),
    $randomVerb: () => pick(VERBS),
    $randomIngverb: () => pick(INGVERBS),
    $randomAdjective: () => pick(ADJECTIVES),
    $randomWord: () => pick(WORDS),
    $randomWords: () => words(int(2, 5), WORDS),
    $randomPhrase: () => `${pick(VERBS)} the ${pick(ADJECTIVES)} ${pick(NOUNS)}!`,
    $randomLoremWord: () => pick(LOREM),
    $randomLoremWords: () => words(3),
    $randomLoremSentence: sentence,
    $randomLoremSentences: () => Array.from({ length: int(2, 6) }, sentence).join(" "),
    $randomLoremParagraph: () => Array.from({ length: 3 }, sentence).join(" "),
    $randomLoremParagraphs: () =>
      Array.from({ length: 3 }, () => Array.from({ length: 3 }, sentence).join(" ")).join("\n \r"),
    $randomLoremText: () => Array.from({ length: int(2, 4) }, sentence).join(" "),
    $randomLoremSlug: () => words(3).replace(/ /g, "-"),
    $randomLoremLines: () => Array.from({ length: int(1, 5) }, sentence).join("\n"),
  };
  return (name) => (Object.hasOwn(table, name) ? table[name]!() : undefined);
}
