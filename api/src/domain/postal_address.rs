//! Formats a debtor's postal address as the lines of an envelope, in the
//! order and form the postal service of its country expects.
//!
//! Countries with their own layout: US and CA (city, region and postal code
//! on one line), GB (post town in capitals, postcode on its own line), IN
//! (city and PIN code, then the state), DE (postal code before the city) and
//! FR (postal code before the city in capitals). Any other country gets the
//! generic layout: city, region and postal code on one line. The last line
//! names the country in English capitals, as international mail needs.

/// The stored parts of an address; any part may be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressParts<'a> {
    pub line1: Option<&'a str>,
    pub line2: Option<&'a str>,
    pub city: Option<&'a str>,
    pub region: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    /// ISO 3166-1 alpha-2 code; `UK` is read as `GB` and `USA` as `US`.
    pub country: Option<&'a str>,
}

/// Returns the address's lines, without blank lines.
pub fn format_lines(address: &AddressParts<'_>) -> Vec<String> {
    let part = |value: Option<&str>| value.map(str::trim).filter(|text| !text.is_empty()).map(str::to_string);
    let city = part(address.city);
    let region = part(address.region);
    let postal = part(address.postal_code);
    let country = part(address.country).map(|code| normalise_country(&code));

    let mut lines: Vec<String> = [part(address.line1), part(address.line2)].into_iter().flatten().collect();
    let joined = |pieces: &[Option<String>], separator: &str| {
        let present: Vec<&str> = pieces.iter().flatten().map(String::as_str).collect();
        present.join(separator)
    };

    match country.as_deref() {
        Some("US") => {
            // "Springfield, IL 62701"
            let region_postal = joined(&[region, postal], " ");
            lines.push(joined(&[city, Some(region_postal).filter(|t| !t.is_empty())], ", "));
        }
        Some("CA") => {
            // Canada Post: "TORONTO ON  M5V 2T6", two spaces before the postal code.
            let city_region = joined(&[city.map(|c| c.to_uppercase()), region], " ");
            lines.push(joined(&[Some(city_region).filter(|t| !t.is_empty()), postal], "  "));
        }
        Some("GB") => {
            lines.push(city.map(|c| c.to_uppercase()).unwrap_or_default());
            lines.push(region.unwrap_or_default());
            lines.push(postal.map(|p| p.to_uppercase()).unwrap_or_default());
        }
        Some("IN") => {
            // "Bengaluru 560001", then the state.
            lines.push(joined(&[city, postal], " "));
            lines.push(region.unwrap_or_default());
        }
        Some("DE") => lines.push(joined(&[postal, city], " ")),
        Some("FR") => lines.push(joined(&[postal, city.map(|c| c.to_uppercase())], " ")),
        _ => lines.push(joined(&[city, region, postal], " ")),
    }
    if let Some(code) = country {
        lines.push(country_name(&code).map(str::to_string).unwrap_or(code));
    }
    lines.retain(|line| !line.trim().is_empty());
    lines
}

fn normalise_country(code: &str) -> String {
    match code.to_ascii_uppercase().as_str() {
        "UK" => "GB".to_string(),
        "USA" => "US".to_string(),
        other => other.to_string(),
    }
}

/// Returns the English name, in capitals, of the countries with their own layout.
fn country_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "US" => "UNITED STATES",
        "CA" => "CANADA",
        "GB" => "UNITED KINGDOM",
        "IN" => "INDIA",
        "DE" => "GERMANY",
        "FR" => "FRANCE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(
        line1: &'a str,
        city: &'a str,
        region: &'a str,
        postal_code: &'a str,
        country: &'a str,
    ) -> AddressParts<'a> {
        let some = |text: &'a str| Some(text).filter(|t| !t.is_empty());
        AddressParts {
            line1: some(line1),
            line2: None,
            city: some(city),
            region: some(region),
            postal_code: some(postal_code),
            country: some(country),
        }
    }

    #[test]
    fn each_country_layout() {
        let cases: [(AddressParts, &[&str]); 8] = [
            (parts("1 Main St", "Springfield", "IL", "62701", "US"), &["1 Main St", "Springfield, IL 62701", "UNITED STATES"]),
            (parts("1 Main St", "Springfield", "IL", "62701", "usa"), &["1 Main St", "Springfield, IL 62701", "UNITED STATES"]),
            (parts("290 Bremner Blvd", "Toronto", "ON", "M5V 3L9", "CA"), &["290 Bremner Blvd", "TORONTO ON  M5V 3L9", "CANADA"]),
            (parts("10 Downing Street", "London", "", "sw1a 2aa", "UK"), &["10 Downing Street", "LONDON", "SW1A 2AA", "UNITED KINGDOM"]),
            (parts("12 MG Road", "Bengaluru", "Karnataka", "560001", "IN"), &["12 MG Road", "Bengaluru 560001", "Karnataka", "INDIA"]),
            (parts("Unter den Linden 1", "Berlin", "", "10117", "DE"), &["Unter den Linden 1", "10117 Berlin", "GERMANY"]),
            (parts("5 rue de Rivoli", "Paris", "", "75001", "FR"), &["5 rue de Rivoli", "75001 PARIS", "FRANCE"]),
            (parts("Via Roma 1", "Torino", "TO", "10121", "IT"), &["Via Roma 1", "Torino TO 10121", "IT"]),
        ];
        for (address, expected) in cases {
            assert_eq!(format_lines(&address), expected, "{address:?}");
        }
    }

    #[test]
    fn missing_parts_leave_no_blank_lines() {
        assert_eq!(format_lines(&parts("", "Springfield", "", "", "US")), ["Springfield", "UNITED STATES"]);
        assert_eq!(format_lines(&parts("1 Main St", "", "", "", "")), ["1 Main St"]);
        assert!(format_lines(&AddressParts::default()).is_empty());
    }
}
