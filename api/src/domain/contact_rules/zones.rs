//! The zones a debtor may be in: the project's table from addresses and
//! phone numbers to time zones, and the resolution of a debtor's zones.
//!
//! The table covers only the places the project supports. Zone assignments
//! follow the tz database zone assignments (zone.tab and zone1970.tab) for
//! each state, province and country. A region that spans zones lists every
//! zone it spans, narrowed by postal-code prefix only where the whole prefix
//! lies in one zone. When unsure, a prefix keeps all the region's zones,
//! because checking more zones can only shorten the allowed hours.

use chrono_tz::Tz;

use super::{Address, ContactDetails, Phone};

mod tz {
    pub use chrono_tz::America::Indiana::Indianapolis;
    pub use chrono_tz::America::Kentucky::Louisville;
    pub use chrono_tz::America::{
        Adak, Anchorage, Atikokan, BlancSablon, Boise, Cambridge_Bay, Chicago, Dawson_Creek, Denver, Detroit, Edmonton,
        Goose_Bay, Halifax, Iqaluit, Los_Angeles, Menominee, Moncton, New_York, Phoenix, Puerto_Rico, Rankin_Inlet,
        Regina, St_Johns, St_Thomas, Toronto, Vancouver, Whitehorse, Winnipeg, Yellowknife,
    };
    pub use chrono_tz::Pacific::{Guam, Honolulu};
}

const EASTERN: &[Tz] = &[tz::New_York];
const CENTRAL: &[Tz] = &[tz::Chicago];
const MOUNTAIN: &[Tz] = &[tz::Denver];
const PACIFIC: &[Tz] = &[tz::Los_Angeles];
const ARIZONA: &[Tz] = &[tz::Phoenix];

/// Postal codes from `from` to `to` inclusive, compared on the first
/// `from.len()` characters: 3-digit ZIP prefixes in the United States, the
/// first letters of the postal code in Canada.
struct PostalRange {
    from: &'static str,
    to: &'static str,
    zones: &'static [Tz],
}

const fn postal(from: &'static str, to: &'static str, zones: &'static [Tz]) -> PostalRange {
    PostalRange { from, to, zones }
}

/// A state, province or territory with every zone it spans.
struct Region {
    country: &'static str,
    code: &'static str,
    zones: &'static [Tz],
    postal: &'static [PostalRange],
}

const fn region(country: &'static str, code: &'static str, zones: &'static [Tz]) -> Region {
    Region { country, code, zones, postal: &[] }
}

const fn split_region(
    country: &'static str,
    code: &'static str,
    zones: &'static [Tz],
    postal: &'static [PostalRange],
) -> Region {
    Region { country, code, zones, postal }
}

// Source: tz database zone assignments. Split regions list all their zones.
// ZIP prefixes are narrowed only where the whole prefix is in one zone, for
// example Texas 798 stays split because it covers El Paso County (Mountain)
// and Van Horn and Alpine (Central).
static REGIONS: &[Region] = &[
    region("US", "AL", CENTRAL),
    // Alaska: the Aleutians west of 169.5°W keep Hawaii-Aleutian time
    // (America/Adak) and share ZIP prefix 995 with Anchorage.
    region("US", "AK", &[tz::Anchorage, tz::Adak]),
    // Arizona keeps standard time all year except the Navajo Nation, which
    // follows America/Denver. The Navajo Nation lies in ZIP prefixes 860
    // and 865.
    split_region(
        "US",
        "AZ",
        &[tz::Phoenix, tz::Denver],
        &[postal("850", "859", ARIZONA), postal("863", "864", ARIZONA)],
    ),
    region("US", "AR", CENTRAL),
    region("US", "CA", PACIFIC),
    region("US", "CO", MOUNTAIN),
    region("US", "CT", EASTERN),
    region("US", "DE", EASTERN),
    region("US", "DC", EASTERN),
    // Florida west of the Apalachicola River is Central. Prefix 325
    // (Pensacola to Fort Walton Beach) is wholly Central, but 324 mixes
    // Central Bay County with Eastern Port St. Joe, so it stays split.
    split_region(
        "US",
        "FL",
        &[tz::New_York, tz::Chicago],
        &[postal("320", "323", EASTERN), postal("325", "325", CENTRAL), postal("326", "349", EASTERN)],
    ),
    region("US", "GA", EASTERN),
    region("US", "HI", &[tz::Honolulu]),
    // Idaho: the south is Mountain (America/Boise), the panhandle Pacific.
    // Prefix 835 (Lewiston, Idaho County) straddles the line.
    split_region(
        "US",
        "ID",
        &[tz::Boise, tz::Los_Angeles],
        &[postal("832", "834", &[tz::Boise]), postal("836", "837", &[tz::Boise]), postal("838", "838", PACIFIC)],
    ),
    region("US", "IL", CENTRAL),
    // Indiana: the Chicago and Evansville corners are Central, the rest
    // Eastern. Prefixes 465, 471, 475 and 479 contain both.
    split_region(
        "US",
        "IN",
        &[tz::Indianapolis, tz::Chicago],
        &[
            postal("460", "462", &[tz::Indianapolis]),
            postal("463", "464", CENTRAL),
            postal("466", "470", &[tz::Indianapolis]),
            postal("472", "474", &[tz::Indianapolis]),
            postal("476", "477", CENTRAL),
            postal("478", "478", &[tz::Indianapolis]),
        ],
    ),
    region("US", "IA", CENTRAL),
    // Kansas: four western counties are Mountain, all in prefixes 677-678.
    split_region(
        "US",
        "KS",
        &[tz::Chicago, tz::Denver],
        &[postal("660", "676", CENTRAL), postal("679", "679", CENTRAL)],
    ),
    // Kentucky: the east is Eastern, the west Central.
    split_region(
        "US",
        "KY",
        &[tz::Louisville, tz::Chicago],
        &[postal("400", "418", &[tz::Louisville]), postal("420", "420", CENTRAL)],
    ),
    region("US", "LA", CENTRAL),
    region("US", "ME", EASTERN),
    region("US", "MD", EASTERN),
    region("US", "MA", EASTERN),
    // Michigan: four Upper Peninsula counties on the Wisconsin border are
    // Central (America/Menominee), all in prefixes 498-499.
    split_region("US", "MI", &[tz::Detroit, tz::Menominee], &[postal("480", "497", &[tz::Detroit])]),
    region("US", "MN", CENTRAL),
    region("US", "MS", CENTRAL),
    region("US", "MO", CENTRAL),
    region("US", "MT", MOUNTAIN),
    // Nebraska: the panhandle and the southwest are Mountain.
    split_region("US", "NE", &[tz::Chicago, tz::Denver], &[postal("680", "689", CENTRAL)]),
    // Nevada is Pacific except West Wendover and Jackpot (prefix 898),
    // which follow Mountain time.
    split_region(
        "US",
        "NV",
        &[tz::Los_Angeles, tz::Denver],
        &[postal("889", "897", PACIFIC), postal("899", "899", PACIFIC)],
    ),
    region("US", "NH", EASTERN),
    region("US", "NJ", EASTERN),
    region("US", "NM", MOUNTAIN),
    region("US", "NY", EASTERN),
    region("US", "NC", EASTERN),
    // North Dakota: the southwest is Mountain.
    split_region("US", "ND", &[tz::Chicago, tz::Denver], &[postal("580", "584", CENTRAL)]),
    region("US", "OH", EASTERN),
    region("US", "OK", CENTRAL),
    // Oregon: most of Malheur County (prefix 979) is Mountain.
    split_region("US", "OR", &[tz::Los_Angeles, tz::Boise], &[postal("970", "978", PACIFIC)]),
    region("US", "PA", EASTERN),
    region("US", "RI", EASTERN),
    region("US", "SC", EASTERN),
    // South Dakota: the west river counties are Mountain.
    split_region("US", "SD", &[tz::Chicago, tz::Denver], &[postal("570", "574", CENTRAL)]),
    // Tennessee: East Tennessee is Eastern, the rest Central. Prefixes
    // 373-375 contain both.
    split_region(
        "US",
        "TN",
        &[tz::New_York, tz::Chicago],
        &[postal("370", "372", CENTRAL), postal("376", "379", EASTERN), postal("380", "385", CENTRAL)],
    ),
    // Texas: El Paso and Hudspeth counties are Mountain.
    split_region(
        "US",
        "TX",
        &[tz::Chicago, tz::Denver],
        &[
            postal("733", "733", CENTRAL),
            postal("750", "797", CENTRAL),
            postal("799", "799", MOUNTAIN),
            postal("885", "885", MOUNTAIN),
        ],
    ),
    region("US", "UT", MOUNTAIN),
    region("US", "VT", EASTERN),
    region("US", "VA", EASTERN),
    region("US", "WA", PACIFIC),
    region("US", "WV", EASTERN),
    region("US", "WI", CENTRAL),
    region("US", "WY", MOUNTAIN),
    region("US", "PR", &[tz::Puerto_Rico]),
    region("US", "VI", &[tz::St_Thomas]),
    region("US", "GU", &[tz::Guam]),
    // Canada. Postal ranges use the first letter of the postal code.
    region("CA", "AB", &[tz::Edmonton]),
    // British Columbia: the East Kootenays follow Alberta, and the
    // northeast and Creston keep Mountain standard time all year.
    region("CA", "BC", &[tz::Vancouver, tz::Edmonton, tz::Dawson_Creek]),
    region("CA", "MB", &[tz::Winnipeg]),
    region("CA", "NB", &[tz::Moncton]),
    // Newfoundland and Labrador: most of Labrador keeps Atlantic time.
    region("CA", "NL", &[tz::St_Johns, tz::Goose_Bay]),
    region("CA", "NS", &[tz::Halifax]),
    region("CA", "NT", &[tz::Yellowknife]),
    region("CA", "NU", &[tz::Iqaluit, tz::Rankin_Inlet, tz::Cambridge_Bay]),
    // Ontario: only Northern Ontario (postal P) has Central and year-round
    // Eastern standard time areas.
    split_region("CA", "ON", &[tz::Toronto, tz::Winnipeg, tz::Atikokan], &[postal("K", "N", &[tz::Toronto])]),
    region("CA", "PE", &[tz::Halifax]),
    // Quebec: the Magdalen Islands keep Atlantic time and the Lower North
    // Shore Atlantic standard time, both in postal area G.
    split_region("CA", "QC", &[tz::Toronto, tz::Halifax, tz::BlancSablon], &[postal("H", "J", &[tz::Toronto])]),
    // Saskatchewan keeps Central standard time, except Lloydminster
    // (Alberta time) and a few towns near Manitoba (Central time with
    // daylight saving). Regina (S4) and Saskatoon (S7) are neither.
    split_region(
        "CA",
        "SK",
        &[tz::Regina, tz::Edmonton, tz::Winnipeg],
        &[postal("S4", "S4", &[tz::Regina]), postal("S7", "S7", &[tz::Regina])],
    ),
    region("CA", "YT", &[tz::Whitehorse]),
];

/// Countries in one zone, looked up by ISO 3166-1 alpha-2 code.
static SINGLE_ZONE_COUNTRIES: &[(&str, Tz)] = &[
    ("IN", chrono_tz::Asia::Kolkata),
    ("GB", chrono_tz::Europe::London),
    ("IE", chrono_tz::Europe::Dublin),
    ("DE", chrono_tz::Europe::Berlin),
    ("FR", chrono_tz::Europe::Paris),
    ("NL", chrono_tz::Europe::Amsterdam),
    ("JP", chrono_tz::Asia::Tokyo),
    ("SG", chrono_tz::Asia::Singapore),
    ("PH", chrono_tz::Asia::Manila),
    ("ZA", chrono_tz::Africa::Johannesburg),
];

/// Country calling codes outside the North American Numbering Plan, with
/// the country they belong to. Crown dependencies share +44 and London time.
static CALLING_CODES: &[(&str, &str)] = &[
    ("44", "GB"),
    ("91", "IN"),
    ("353", "IE"),
    ("49", "DE"),
    ("33", "FR"),
    ("31", "NL"),
    ("81", "JP"),
    ("65", "SG"),
    ("63", "PH"),
    ("27", "ZA"),
];

/// The place an area code of the North American Numbering Plan (+1) covers.
enum AreaPlace {
    /// Every zone of a region in `REGIONS`.
    Region(&'static str, &'static str),
    /// The given zones, for a code that covers only part of a split region.
    Zones(&'static str, &'static [Tz]),
}

use AreaPlace::{Region as R, Zones as Z};

/// A representative set of area codes. Codes that cover a region's zones
/// only in part map to those zones, and codes that straddle a zone line map
/// to the whole region.
static AREA_CODES: &[(&[&str], AreaPlace)] = &[
    (&["201", "551", "609", "640", "732", "848", "856", "862", "908", "973"], R("US", "NJ")),
    (&["202", "771"], R("US", "DC")),
    (&["203", "475", "860", "959"], R("US", "CT")),
    (&["205", "251", "256", "334", "659", "938"], R("US", "AL")),
    (&["206", "253", "360", "425", "509", "564"], R("US", "WA")),
    (&["207"], R("US", "ME")),
    (&["208", "986"], R("US", "ID")),
    (&["209", "213", "279", "310", "323", "341", "350", "408", "415", "424", "442", "510", "530"], R("US", "CA")),
    (&["559", "562", "619", "626", "628", "650", "657", "661", "669", "707", "714", "747", "760"], R("US", "CA")),
    (&["805", "818", "820", "831", "840", "858", "909", "916", "925", "949", "951"], R("US", "CA")),
    (&["212", "315", "332", "347", "516", "518", "585", "607", "631", "646", "680", "716", "718"], R("US", "NY")),
    (&["838", "845", "914", "917", "929", "934"], R("US", "NY")),
    (&["215", "223", "267", "272", "412", "445", "484", "570", "610", "717", "724", "814", "878"], R("US", "PA")),
    (&["216", "220", "234", "330", "380", "419", "440", "513", "567", "614", "740", "937"], R("US", "OH")),
    (&["217", "224", "309", "312", "331", "447", "618", "630", "708", "773", "779", "815", "847"], R("US", "IL")),
    (&["872"], R("US", "IL")),
    (&["218", "320", "507", "612", "651", "763", "952"], R("US", "MN")),
    (&["219", "574", "812", "930"], R("US", "IN")),
    (&["260", "317", "463", "765"], Z("US", &[tz::Indianapolis])),
    (&["225", "318", "337", "504", "985"], R("US", "LA")),
    (&["228", "601", "662", "769"], R("US", "MS")),
    (&["229", "404", "470", "478", "678", "706", "762", "770", "912", "943"], R("US", "GA")),
    (&["231", "248", "269", "313", "517", "586", "616", "734", "810", "947", "989"], Z("US", &[tz::Detroit])),
    (&["906"], R("US", "MI")),
    (&["239", "305", "321", "352", "386", "407", "561", "689", "727", "754", "772", "786", "813"], Z("US", EASTERN)),
    (&["863", "904", "941", "954"], Z("US", EASTERN)),
    (&["850", "448"], R("US", "FL")),
    (&["240", "301", "410", "443", "667"], R("US", "MD")),
    (&["252", "336", "704", "743", "828", "910", "919", "980", "984"], R("US", "NC")),
    (&["262", "414", "534", "608", "715", "920"], R("US", "WI")),
    // 606 covers Clinton County, which keeps Central time.
    (&["270", "364", "606"], R("US", "KY")),
    (&["502", "859"], Z("US", &[tz::Louisville])),
    (&["276", "434", "540", "571", "703", "757", "804"], R("US", "VA")),
    (&["302"], R("US", "DE")),
    (&["303", "719", "720", "970"], R("US", "CO")),
    (&["304", "681"], R("US", "WV")),
    (&["307"], R("US", "WY")),
    (&["308"], R("US", "NE")),
    (&["402", "531"], Z("US", CENTRAL)),
    (&["314", "417", "573", "636", "660", "816"], R("US", "MO")),
    (&["316", "913"], Z("US", CENTRAL)),
    (&["620", "785"], R("US", "KS")),
    (&["319", "515", "563", "641", "712"], R("US", "IA")),
    (&["339", "351", "413", "508", "617", "774", "781", "857", "978"], R("US", "MA")),
    (&["385", "435", "801"], R("US", "UT")),
    (&["401"], R("US", "RI")),
    (&["405", "539", "580", "918"], R("US", "OK")),
    (&["406"], R("US", "MT")),
    (&["503", "971"], Z("US", PACIFIC)),
    // 541 and its overlay 458 cover Malheur County, which keeps Mountain time.
    (&["458", "541"], R("US", "OR")),
    (&["479", "501", "870"], R("US", "AR")),
    (&["480", "520", "602", "623"], Z("US", ARIZONA)),
    (&["928"], R("US", "AZ")),
    (&["505", "575"], R("US", "NM")),
    (&["603"], R("US", "NH")),
    (&["605"], R("US", "SD")),
    (&["701"], R("US", "ND")),
    (&["615", "629", "731", "901", "931"], Z("US", CENTRAL)),
    (&["865"], Z("US", EASTERN)),
    (&["423"], R("US", "TN")),
    (&["210", "214", "254", "281", "325", "346", "361", "409", "430", "432", "469", "512", "682"], Z("US", CENTRAL)),
    (&["713", "726", "737", "806", "817", "830", "832", "903", "936", "940", "945", "956", "972"], Z("US", CENTRAL)),
    (&["979"], Z("US", CENTRAL)),
    (&["915"], Z("US", MOUNTAIN)),
    (&["702", "725"], Z("US", PACIFIC)),
    (&["775"], R("US", "NV")),
    (&["802"], R("US", "VT")),
    (&["803", "839", "843", "854", "864"], R("US", "SC")),
    (&["808"], R("US", "HI")),
    (&["907"], R("US", "AK")),
    (&["787", "939"], R("US", "PR")),
    (&["340"], R("US", "VI")),
    (&["671"], R("US", "GU")),
    (&["416", "437", "647", "613", "343", "705", "249", "514", "438", "819", "873"], Z("CA", &[tz::Toronto])),
    (&["807"], R("CA", "ON")),
    (&["418", "581"], R("CA", "QC")),
    (&["604"], Z("CA", &[tz::Vancouver])),
    (&["236", "250", "672", "778"], R("CA", "BC")),
    (&["403", "587", "780", "825"], R("CA", "AB")),
    (&["204", "431"], R("CA", "MB")),
    (&["306", "639"], R("CA", "SK")),
    (&["506"], R("CA", "NB")),
    (&["709"], R("CA", "NL")),
    (&["902", "782"], Z("CA", &[tz::Halifax])),
];

/// One zone the debtor may be in, with the country whose contact rules
/// apply there (`None` when no country is known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PossibleZone {
    pub zone: Tz,
    pub country: Option<String>,
}

/// Every zone the debtor may be in. `uncertain` is true when more than one
/// zone is possible, or when a location hint was not in the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebtorLocation {
    pub zones: Vec<PossibleZone>,
    pub uncertain: bool,
}

impl DebtorLocation {
    pub fn time_zones(&self) -> Vec<Tz> {
        self.zones.iter().map(|possible| possible.zone).collect()
    }
}

/// The zones a location hint points to, with their country.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintZones {
    pub country: &'static str,
    pub zones: Vec<Tz>,
}

fn find_region(country: &str, code: &str) -> Option<&'static Region> {
    REGIONS.iter().find(|region| region.country == country && region.code.eq_ignore_ascii_case(code))
}

/// Normalises a country code, mapping US territories with their own ISO
/// codes (PR, VI, GU) to the United States region of the same code.
pub fn normalise_country(country: &str, region: Option<&str>) -> (String, Option<String>) {
    let country = country.trim().to_ascii_uppercase();
    match country.as_str() {
        "PR" | "VI" | "GU" => ("US".to_string(), Some(country)),
        "UK" => ("GB".to_string(), region.map(str::to_string)),
        "USA" => ("US".to_string(), region.map(str::to_string)),
        _ => (country, region.map(str::to_string)),
    }
}

fn all_zones_of(country: &str) -> Vec<Tz> {
    let mut zones = Vec::new();
    for region in REGIONS.iter().filter(|region| region.country == country) {
        push_unique(&mut zones, region.zones);
    }
    zones
}

fn push_unique(into: &mut Vec<Tz>, zones: &[Tz]) {
    for zone in zones {
        if !into.contains(zone) {
            into.push(*zone);
        }
    }
}

fn static_country(code: &str) -> Option<&'static str> {
    ["US", "CA"]
        .into_iter()
        .chain(SINGLE_ZONE_COUNTRIES.iter().map(|(country, _)| *country))
        .find(|country| *country == code)
}

/// Returns the zones an address points to, or `None` when its country is not
/// in the table. A country with regions but an unknown or missing region
/// maps to all its zones.
pub fn zones_for_address(address: &Address) -> Option<HintZones> {
    let (country, region_code) = normalise_country(&address.country, address.region.as_deref());
    let country = static_country(&country)?;

    if let Some((_, zone)) = SINGLE_ZONE_COUNTRIES.iter().find(|(code, _)| *code == country) {
        return Some(HintZones { country, zones: vec![*zone] });
    }

    let region = region_code.as_deref().and_then(|code| find_region(country, code.trim()));
    let Some(region) = region else {
        return Some(HintZones { country, zones: all_zones_of(country) });
    };

    let postal_code: Option<String> = address
        .postal_code
        .as_deref()
        .map(|code| code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase());
    let narrowed = postal_code.and_then(|code| {
        region.postal.iter().find(|range| {
            let prefix = code.get(..range.from.len()).unwrap_or("");
            prefix.len() == range.from.len() && range.from <= prefix && prefix <= range.to
        })
    });
    let zones = narrowed.map_or(region.zones, |range| range.zones);
    Some(HintZones { country, zones: zones.to_vec() })
}

/// Returns the zones an E.164 number points to, or `None` when its country
/// code or area code is not in the table or the number is malformed.
pub fn zones_for_phone(e164: &str) -> Option<HintZones> {
    let digits = e164.trim().strip_prefix('+')?;
    let digits: String = digits.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }

    if let Some(national) = digits.strip_prefix('1') {
        if national.len() != 10 {
            return None;
        }
        let area_code = &national[..3];
        let (_, place) = AREA_CODES.iter().find(|(codes, _)| codes.contains(&area_code))?;
        return match place {
            AreaPlace::Region(country, code) => {
                let region = find_region(country, code)?;
                Some(HintZones { country: region.country, zones: region.zones.to_vec() })
            }
            AreaPlace::Zones(country, zones) => Some(HintZones { country, zones: zones.to_vec() }),
        };
    }

    let (_, country) = CALLING_CODES.iter().find(|(code, _)| digits.starts_with(code))?;
    let (_, zone) = SINGLE_ZONE_COUNTRIES.iter().find(|(code, _)| code == country)?;
    Some(HintZones { country, zones: vec![*zone] })
}

/// Returns true for a +1 number: the North American Numbering Plan.
fn is_north_american(e164: &str) -> bool {
    e164.trim().strip_prefix("+1").is_some_and(|national| national.len() == 10 && national.chars().all(|c| c.is_ascii_digit()))
}

/// Returns every zone of the US states, DC and Canada, each under its country.
/// A +1 number whose area code the table lacks (a toll-free or
/// non-geographic code, or a code missing from the table) places the
/// debtor somewhere among them. Territories are left out, because their
/// area codes are in the table and Guam's zone would leave no common hour.
fn north_american_zones() -> Vec<PossibleZone> {
    let mut zones: Vec<PossibleZone> = Vec::new();
    let mainland = REGIONS.iter().filter(|region| {
        (region.country == "US" && !matches!(region.code, "PR" | "VI" | "GU")) || region.country == "CA"
    });
    for region in mainland {
        for zone in region.zones {
            let possible = PossibleZone { zone: *zone, country: Some(region.country.to_string()) };
            if !zones.contains(&possible) {
                zones.push(possible);
            }
        }
    }
    zones
}

/// Resolves every zone the debtor may be in from the address and all phone
/// numbers.
///
/// Every hint counts, even an undeliverable address or a number marked
/// invalid or do not call: it may still show where the debtor lives, and an
/// extra zone can only shorten the allowed hours. With no zone found, a
/// debtor with a +1 number may be anywhere in the US states or Canada;
/// any other debtor is placed in `default_zone`, under the address's
/// country when it has one and `default_country` otherwise.
pub fn resolve_location(contact: &ContactDetails, default_zone: Tz, default_country: Option<&str>) -> DebtorLocation {
    let mut zones: Vec<PossibleZone> = Vec::new();
    let mut unresolved_hint = false;

    let address_hint = contact.address.as_ref().map(zones_for_address);
    let phone_hints = contact.phones.iter().map(|phone: &Phone| zones_for_phone(&phone.e164));
    for hint in address_hint.into_iter().chain(phone_hints) {
        match hint {
            Some(hint) => {
                for zone in hint.zones {
                    let possible = PossibleZone { zone, country: Some(hint.country.to_string()) };
                    if !zones.contains(&possible) {
                        zones.push(possible);
                    }
                }
            }
            None => unresolved_hint = true,
        }
    }

    if zones.is_empty() && contact.phones.iter().any(|phone| is_north_american(&phone.e164)) {
        return DebtorLocation { zones: north_american_zones(), uncertain: true };
    }
    if zones.is_empty() {
        let address_country = contact
            .address
            .as_ref()
            .map(|address| normalise_country(&address.country, None).0)
            .filter(|country| !country.is_empty());
        let country = address_country.or_else(|| default_country.map(str::to_ascii_uppercase));
        return DebtorLocation { zones: vec![PossibleZone { zone: default_zone, country }], uncertain: true };
    }

    let mut distinct = Vec::new();
    for possible in &zones {
        push_unique(&mut distinct, &[possible.zone]);
    }
    DebtorLocation { uncertain: unresolved_hint || distinct.len() > 1, zones }
}
