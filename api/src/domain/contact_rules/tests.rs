use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::window::first_instant_at_or_after;
use super::zones::{zones_for_address, zones_for_phone};
use super::*;

const CHICAGO: Tz = chrono_tz::America::Chicago;
const NEW_YORK: Tz = chrono_tz::America::New_York;
const DENVER: Tz = chrono_tz::America::Denver;
const PHOENIX: Tz = chrono_tz::America::Phoenix;
const LOS_ANGELES: Tz = chrono_tz::America::Los_Angeles;
const KOLKATA: Tz = chrono_tz::Asia::Kolkata;
const LONDON: Tz = chrono_tz::Europe::London;

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0).single().expect("valid UTC time")
}

/// Converts an unambiguous local time in `zone` to UTC.
fn local(zone: Tz, year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    zone.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .single()
        .expect("local time exists once")
        .with_timezone(&Utc)
}

fn address(country: &str, region: Option<&str>, postal_code: Option<&str>) -> Address {
    Address {
        country: country.to_string(),
        region: region.map(str::to_string),
        postal_code: postal_code.map(str::to_string),
        deliverable: true,
    }
}

fn phone(e164: &str) -> Phone {
    Phone { e164: e164.to_string(), valid: true, do_not_call: false }
}

/// Builds a debtor reachable by phone whose zones come from the address alone:
/// Spain is not in the zone table, so the Spanish number adds no zone.
fn address_only(address: Address) -> ContactDetails {
    contact(Some(address), vec![phone("+34910000000")])
}

fn contact(address: Option<Address>, phones: Vec<Phone>) -> ContactDetails {
    ContactDetails { address, phones, emails: vec![EmailStatus { valid: true, opted_out: false }] }
}

fn chicago_debtor() -> ContactDetails {
    contact(Some(address("US", Some("IL"), Some("60601"))), vec![phone("+13125550100")])
}

fn india_debtor() -> ContactDetails {
    contact(Some(address("IN", Some("MH"), Some("400001"))), vec![phone("+919820000000")])
}

fn new_york_debtor() -> ContactDetails {
    contact(Some(address("US", Some("NY"), Some("10001"))), vec![phone("+12125550100")])
}

fn policy() -> ContactPolicy {
    ContactPolicy { rules: RulesTable::default(), default_zone: NEW_YORK, default_country: Some("US".to_string()) }
}

fn request(channel: Channel, at: DateTime<Utc>) -> ContactRequest {
    ContactRequest { channel, at, phone: None, mentions_legal_action: false }
}

fn check(channel: Channel, at: DateTime<Utc>, debtor: &ContactDetails) -> Eligibility {
    eligibility(&request(channel, at), debtor, &AccountHolds::default(), &[], &policy())
}

fn check_with_history(at: DateTime<Utc>, debtor: &ContactDetails, history: &[Attempt]) -> Eligibility {
    eligibility(&request(Channel::Call, at), debtor, &AccountHolds::default(), history, &policy())
}

fn codes(result: &Eligibility) -> Vec<ReasonCode> {
    result.reasons.iter().map(|reason| reason.code).collect()
}

fn outbound_call(at: DateTime<Utc>) -> Attempt {
    Attempt { at, channel: Channel::Call, direction: Direction::Outbound, conversation: false }
}

/// One window case: the instant, whether contact is allowed, and the
/// expected `next_allowed_at`.
struct WindowCase {
    label: &'static str,
    at: DateTime<Utc>,
    allowed: bool,
    next: DateTime<Utc>,
}

fn assert_window_cases(channel: Channel, debtor: &ContactDetails, cases: &[WindowCase]) {
    for case in cases {
        let result = check(channel, case.at, debtor);
        assert_eq!(result.allowed, case.allowed, "{}: allowed; reasons {:?}", case.label, result.reasons);
        assert_eq!(result.next_allowed_at, Some(case.next), "{}: next_allowed_at", case.label);
        let expected_codes = if case.allowed { vec![] } else { vec![ReasonCode::OutsideContactWindow] };
        assert_eq!(codes(&result), expected_codes, "{}: reason codes", case.label);
    }
}

#[test]
fn window_edges_chicago() {
    let at = |day, hour, minute| local(CHICAGO, 2026, 1, day, hour, minute);
    let cases = [
        WindowCase { label: "07:59", at: at(14, 7, 59), allowed: false, next: at(14, 8, 0) },
        WindowCase { label: "08:00", at: at(14, 8, 0), allowed: true, next: at(14, 8, 0) },
        WindowCase { label: "20:59", at: at(14, 20, 59), allowed: true, next: at(14, 20, 59) },
        WindowCase { label: "21:00", at: at(14, 21, 0), allowed: false, next: at(15, 8, 0) },
        WindowCase { label: "23:59", at: at(14, 23, 59), allowed: false, next: at(15, 8, 0) },
        WindowCase { label: "00:00", at: at(15, 0, 0), allowed: false, next: at(15, 8, 0) },
    ];
    assert_window_cases(Channel::Call, &chicago_debtor(), &cases);
}

#[test]
fn window_message_names_zone_and_hours() {
    let result = check(Channel::Call, local(CHICAGO, 2026, 1, 14, 22, 0), &chicago_debtor());

    assert_eq!(
        result.reasons[0].message,
        "It is 22:00 in America/Chicago, and calls are allowed from 08:00 to 21:00 local time."
    );
}

#[test]
fn window_edges_india() {
    let at = |day, hour, minute| local(KOLKATA, 2026, 1, day, hour, minute);
    let cases = [
        WindowCase { label: "07:59", at: at(14, 7, 59), allowed: false, next: at(14, 8, 0) },
        WindowCase { label: "08:00", at: at(14, 8, 0), allowed: true, next: at(14, 8, 0) },
        WindowCase { label: "18:59", at: at(14, 18, 59), allowed: true, next: at(14, 18, 59) },
        WindowCase { label: "19:00", at: at(14, 19, 0), allowed: false, next: at(15, 8, 0) },
        WindowCase { label: "20:30", at: at(14, 20, 30), allowed: false, next: at(15, 8, 0) },
    ];
    assert_window_cases(Channel::Call, &india_debtor(), &cases);
}

#[test]
fn window_edges_across_dst_changes() {
    // Clocks go forward at 02:00 on 2026-03-08 and back at 02:00 on
    // 2026-11-01 in America/New_York. UTC values are written out so a wrong
    // offset cannot cancel itself.
    let cases = [
        WindowCase {
            label: "eve of spring-forward, 21:00 EST",
            at: utc(2026, 3, 8, 2, 0),
            allowed: false,
            next: utc(2026, 3, 8, 12, 0),
        },
        WindowCase {
            label: "spring-forward day 07:59 EDT",
            at: utc(2026, 3, 8, 11, 59),
            allowed: false,
            next: utc(2026, 3, 8, 12, 0),
        },
        WindowCase {
            label: "spring-forward day 08:00 EDT",
            at: utc(2026, 3, 8, 12, 0),
            allowed: true,
            next: utc(2026, 3, 8, 12, 0),
        },
        WindowCase {
            label: "spring-forward day 20:59 EDT",
            at: utc(2026, 3, 9, 0, 59),
            allowed: true,
            next: utc(2026, 3, 9, 0, 59),
        },
        WindowCase {
            label: "spring-forward day 21:00 EDT",
            at: utc(2026, 3, 9, 1, 0),
            allowed: false,
            next: utc(2026, 3, 9, 12, 0),
        },
        WindowCase {
            label: "eve of fall-back, 21:00 EDT",
            at: utc(2026, 11, 1, 1, 0),
            allowed: false,
            next: utc(2026, 11, 1, 13, 0),
        },
        WindowCase {
            label: "fall-back day 01:30 EST",
            at: utc(2026, 11, 1, 6, 30),
            allowed: false,
            next: utc(2026, 11, 1, 13, 0),
        },
        WindowCase {
            label: "fall-back day 07:59 EST",
            at: utc(2026, 11, 1, 12, 59),
            allowed: false,
            next: utc(2026, 11, 1, 13, 0),
        },
        WindowCase {
            label: "fall-back day 08:00 EST",
            at: utc(2026, 11, 1, 13, 0),
            allowed: true,
            next: utc(2026, 11, 1, 13, 0),
        },
        WindowCase {
            label: "fall-back day 20:59 EST",
            at: utc(2026, 11, 2, 1, 59),
            allowed: true,
            next: utc(2026, 11, 2, 1, 59),
        },
        WindowCase {
            label: "fall-back day 21:00 EST",
            at: utc(2026, 11, 2, 2, 0),
            allowed: false,
            next: utc(2026, 11, 2, 13, 0),
        },
    ];
    assert_window_cases(Channel::Call, &new_york_debtor(), &cases);
}

#[test]
fn local_time_in_gap_maps_to_jump() {
    let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
    assert_eq!(first_instant_at_or_after(NEW_YORK, gap), utc(2026, 3, 8, 7, 0));

    let fold = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
    assert_eq!(first_instant_at_or_after(NEW_YORK, fold), utc(2026, 11, 1, 5, 30));

    let plain = NaiveDate::from_ymd_opt(2026, 1, 14).unwrap().and_hms_opt(8, 0, 0).unwrap();
    assert_eq!(first_instant_at_or_after(NEW_YORK, plain), utc(2026, 1, 14, 13, 0));
}

#[test]
fn florida_without_zip_uses_both_zones() {
    let debtor = address_only(address("US", Some("FL"), None));
    // In January Eastern is UTC-5 and Central UTC-6, so both allow calls
    // from 09:00 to 21:00 Eastern.
    let eastern = |day, hour, minute| local(NEW_YORK, 2026, 1, day, hour, minute);
    let cases = [
        WindowCase { label: "08:30 ET / 07:30 CT", at: eastern(14, 8, 30), allowed: false, next: eastern(14, 9, 0) },
        WindowCase { label: "08:59 ET", at: eastern(14, 8, 59), allowed: false, next: eastern(14, 9, 0) },
        WindowCase { label: "09:00 ET / 08:00 CT", at: eastern(14, 9, 0), allowed: true, next: eastern(14, 9, 0) },
        WindowCase { label: "20:59 ET", at: eastern(14, 20, 59), allowed: true, next: eastern(14, 20, 59) },
        WindowCase { label: "21:00 ET / 20:00 CT", at: eastern(14, 21, 0), allowed: false, next: eastern(15, 9, 0) },
        WindowCase { label: "21:30 ET / 20:30 CT", at: eastern(14, 21, 30), allowed: false, next: eastern(15, 9, 0) },
    ];
    assert_window_cases(Channel::Call, &debtor, &cases);

    let result = check(Channel::Call, eastern(14, 8, 30), &debtor);
    let message = &result.reasons[0].message;
    assert!(message.contains("It is 07:30 in America/Chicago"), "{message}");
    assert!(message.contains("America/New_York, America/Chicago"), "{message}");
}

#[test]
fn florida_zip_narrows_zone() {
    let at = local(NEW_YORK, 2026, 1, 14, 8, 30);
    let cases = [
        ("Pensacola 325", "32501", false),
        ("Miami 331", "33101", true),
        ("Port St. Joe 324 stays split", "32456", false),
    ];
    for (label, zip, allowed) in cases {
        let debtor = address_only(address("US", Some("FL"), Some(zip)));
        let result = check(Channel::Call, at, &debtor);
        assert_eq!(result.allowed, allowed, "{label}");
    }
}

#[test]
fn new_york_address_california_phone() {
    let debtor = contact(Some(address("US", Some("NY"), Some("10001"))), vec![phone("+14155550100")]);
    // New York allows 08:00-21:00 ET, California 08:00-21:00 PT, which is
    // 11:00-24:00 ET, so together 11:00-21:00 ET.
    let eastern = |day, hour, minute| local(NEW_YORK, 2026, 1, day, hour, minute);
    let cases = [
        WindowCase { label: "10:59 ET", at: eastern(14, 10, 59), allowed: false, next: eastern(14, 11, 0) },
        WindowCase { label: "11:00 ET", at: eastern(14, 11, 0), allowed: true, next: eastern(14, 11, 0) },
        WindowCase { label: "20:59 ET", at: eastern(14, 20, 59), allowed: true, next: eastern(14, 20, 59) },
        WindowCase { label: "21:00 ET", at: eastern(14, 21, 0), allowed: false, next: eastern(15, 11, 0) },
    ];
    assert_window_cases(Channel::Call, &debtor, &cases);

    let location = resolve_location(&debtor, CHICAGO, None);
    assert_eq!(location.time_zones(), vec![NEW_YORK, LOS_ANGELES]);
    assert!(location.uncertain);
}

#[test]
fn arizona_and_denver_in_summer_and_winter() {
    let phoenix_address = address_only(address("US", Some("AZ"), Some("85004")));
    let phoenix_phone = contact(None, vec![phone("+16025550100")]);
    let denver = address_only(address("US", Some("CO"), Some("80202")));
    let both = contact(Some(address("US", Some("AZ"), Some("85004"))), vec![phone("+13035550100")]);

    // July: Phoenix stays on UTC-7, Denver is on UTC-6. January: both UTC-7.
    let cases: [(&str, &ContactDetails, DateTime<Utc>, bool, DateTime<Utc>); 9] = [
        ("Phoenix address, July 07:30", &phoenix_address, utc(2026, 7, 15, 14, 30), false, utc(2026, 7, 15, 15, 0)),
        ("Phoenix phone, July 07:30", &phoenix_phone, utc(2026, 7, 15, 14, 30), false, utc(2026, 7, 15, 15, 0)),
        ("Denver, July 08:30", &denver, utc(2026, 7, 15, 14, 30), true, utc(2026, 7, 15, 14, 30)),
        ("Phoenix, January 07:30", &phoenix_address, utc(2026, 1, 15, 14, 30), false, utc(2026, 1, 15, 15, 0)),
        ("Denver, January 07:30", &denver, utc(2026, 1, 15, 14, 30), false, utc(2026, 1, 15, 15, 0)),
        ("Denver, July 21:00", &denver, utc(2026, 7, 16, 3, 0), false, utc(2026, 7, 16, 14, 0)),
        ("Phoenix, July 20:00", &phoenix_address, utc(2026, 7, 16, 3, 0), true, utc(2026, 7, 16, 3, 0)),
        ("both, July 19:30 AZ / 20:30 CO", &both, utc(2026, 7, 16, 2, 30), true, utc(2026, 7, 16, 2, 30)),
        ("both, July 20:00 AZ / 21:00 CO", &both, utc(2026, 7, 16, 3, 0), false, utc(2026, 7, 16, 15, 0)),
    ];
    for (label, debtor, at, allowed, next) in cases {
        let result = check(Channel::Call, at, debtor);
        assert_eq!(result.allowed, allowed, "{label}: allowed; reasons {:?}", result.reasons);
        assert_eq!(result.next_allowed_at, Some(next), "{label}: next_allowed_at");
    }
}

#[test]
fn uk_address_with_us_phone_intersects_countries() {
    let debtor = contact(Some(address("GB", None, Some("SW1A 1AA"))), vec![phone("+12125550100")]);
    // January: London 08:00-21:00 UTC, New York 13:00-02:00 UTC.
    let cases = [
        WindowCase { label: "12:59 UTC", at: utc(2026, 1, 14, 12, 59), allowed: false, next: utc(2026, 1, 14, 13, 0) },
        WindowCase { label: "13:00 UTC", at: utc(2026, 1, 14, 13, 0), allowed: true, next: utc(2026, 1, 14, 13, 0) },
        WindowCase { label: "21:00 UTC", at: utc(2026, 1, 14, 21, 0), allowed: false, next: utc(2026, 1, 15, 13, 0) },
    ];
    assert_window_cases(Channel::Call, &debtor, &cases);
}

#[test]
fn frequency_cap_rejects_eighth_attempt() {
    let at = |day, hour| local(CHICAGO, 2026, 1, day, hour, 0);
    // Seven attempts on 5 to 10 January, two of them on the 5th.
    let history: Vec<Attempt> = [(5, 9), (5, 15), (6, 10), (7, 10), (8, 10), (9, 10), (10, 10)]
        .into_iter()
        .map(|(day, hour)| outbound_call(at(day, hour)))
        .collect();

    let result = check_with_history(at(10, 15), &chicago_debtor(), &history);

    assert!(!result.allowed);
    assert_eq!(codes(&result), vec![ReasonCode::FrequencyCap]);
    // The 5th leaves the seven-day run on the 12th.
    assert_eq!(result.next_allowed_at, Some(at(12, 8)));
    assert_eq!(
        result.reasons[0].message,
        "7 call attempts on this debt fall between 2026-01-04 and 2026-01-10 (dates in America/Chicago), \
         and at most 7 are allowed in any 7 consecutive days."
    );

    let on_eleventh = check_with_history(at(11, 12), &chicago_debtor(), &history);
    assert_eq!(codes(&on_eleventh), vec![ReasonCode::FrequencyCap]);

    let on_twelfth = check_with_history(at(12, 8), &chicago_debtor(), &history);
    assert!(on_twelfth.allowed, "{:?}", on_twelfth.reasons);
}

#[test]
fn frequency_cap_allows_spread_attempts() {
    let at = |day, hour| local(CHICAGO, 2026, 1, day, hour, 0);
    let history: Vec<Attempt> = (2..=8).map(|day| outbound_call(at(day, 10))).collect();

    let on_eighth = check_with_history(at(8, 15), &chicago_debtor(), &history);
    assert_eq!(codes(&on_eighth), vec![ReasonCode::FrequencyCap]);

    let on_ninth = check_with_history(at(9, 12), &chicago_debtor(), &history);
    assert!(on_ninth.allowed, "{:?}", on_ninth.reasons);
}

#[test]
fn frequency_cap_ignores_inbound_and_other_channels() {
    let at = |day, hour| local(CHICAGO, 2026, 1, day, hour, 0);
    let mut history: Vec<Attempt> = (4..=9).map(|day| outbound_call(at(day, 10))).collect();
    history.push(Attempt { at: at(10, 9), channel: Channel::Call, direction: Direction::Inbound, conversation: false });
    history.push(Attempt { at: at(10, 9), channel: Channel::Sms, direction: Direction::Outbound, conversation: false });

    let result = check_with_history(at(10, 12), &chicago_debtor(), &history);

    assert!(result.allowed, "{:?}", result.reasons);
}

#[test]
fn frequency_cap_counts_local_days() {
    let at = |day, hour, minute| local(CHICAGO, 2026, 1, day, hour, minute);
    // 23:30 on the 4th in Chicago is already the 5th in UTC.
    let mut history = vec![outbound_call(at(4, 23, 30))];
    history.extend((5..=10).map(|day| outbound_call(at(day, 10, 0))));

    let result = check_with_history(at(10, 12, 0), &chicago_debtor(), &history);

    assert_eq!(codes(&result), vec![ReasonCode::FrequencyCap]);
    // Counted on the 4th, the attempt leaves the run on the 11th. Counted
    // on its UTC day, it would stay until the 12th.
    assert_eq!(result.next_allowed_at, Some(at(11, 8, 0)));
}

#[test]
fn frequency_cap_holds_in_every_zone() {
    let debtor = address_only(address("US", Some("FL"), None));
    let eastern = |day, hour, minute| local(NEW_YORK, 2026, 1, day, hour, minute);
    // 00:30 Eastern on the 5th is 23:30 Central on the 4th.
    let mut history = vec![outbound_call(eastern(5, 0, 30))];
    history.extend((6..=11).map(|day| outbound_call(eastern(day, 12, 0))));

    let result = check_with_history(eastern(11, 15, 0), &debtor, &history);

    // Central days put the first attempt outside 5-11 January, Eastern days
    // keep it inside, so the Eastern count decides.
    assert_eq!(codes(&result), vec![ReasonCode::FrequencyCap]);
    assert_eq!(result.next_allowed_at, Some(eastern(12, 9, 0)));
}

#[test]
fn recent_conversation_blocks_seven_days() {
    let at = |day, hour| local(CHICAGO, 2026, 1, day, hour, 0);
    let conversation =
        Attempt { at: at(5, 14), channel: Channel::Call, direction: Direction::Outbound, conversation: true };
    let inbound = Attempt { direction: Direction::Inbound, ..conversation };

    for (label, history) in [("outbound", [conversation]), ("inbound", [inbound])] {
        let two_days_later = check_with_history(at(7, 12), &chicago_debtor(), &history);
        assert_eq!(codes(&two_days_later), vec![ReasonCode::RecentConversation], "{label}");
        // The 5th is day 1, so day 8 is the 12th.
        assert_eq!(two_days_later.next_allowed_at, Some(at(12, 8)), "{label}");

        let day_seven_evening = check_with_history(at(11, 20), &chicago_debtor(), &history);
        assert_eq!(codes(&day_seven_evening), vec![ReasonCode::RecentConversation], "{label}");

        let day_eight = check_with_history(at(12, 8), &chicago_debtor(), &history);
        assert!(day_eight.allowed, "{label}: {:?}", day_eight.reasons);
    }

    let result = check_with_history(at(7, 12), &chicago_debtor(), &[conversation]);
    assert_eq!(
        result.reasons[0].message,
        "A conversation about this debt took place on 2026-01-05 (date in America/Chicago), \
         so no calls are allowed for 7 days, until 2026-01-12."
    );

    let text = eligibility(
        &request(Channel::Sms, at(7, 12)),
        &chicago_debtor(),
        &AccountHolds::default(),
        &[conversation],
        &policy(),
    );
    assert!(text.allowed, "text messages have no quiet days: {:?}", text.reasons);
}

#[test]
fn blocking_reasons_have_no_next() {
    let debtor = chicago_debtor();
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);
    let cases: [(&str, AccountHolds, bool, ReasonCode); 8] = [
        ("cease all", AccountHolds { cease_all: true, ..AccountHolds::default() }, false, ReasonCode::CeaseRequested),
        (
            "cease calls",
            AccountHolds { cease_channels: vec![Channel::Call], ..AccountHolds::default() },
            false,
            ReasonCode::CeaseRequested,
        ),
        ("disputed", AccountHolds { disputed: true, ..AccountHolds::default() }, false, ReasonCode::Disputed),
        ("bankruptcy", AccountHolds { bankruptcy: true, ..AccountHolds::default() }, false, ReasonCode::Bankruptcy),
        ("deceased", AccountHolds { deceased: true, ..AccountHolds::default() }, false, ReasonCode::Deceased),
        (
            "manager hold",
            AccountHolds { manager_hold: true, ..AccountHolds::default() },
            false,
            ReasonCode::ManagerHold,
        ),
        (
            "time-barred, legal action",
            AccountHolds { time_barred: true, ..AccountHolds::default() },
            true,
            ReasonCode::TimeBarred,
        ),
        (
            "time-barred, legal action, letter",
            AccountHolds { time_barred: true, ..AccountHolds::default() },
            true,
            ReasonCode::TimeBarred,
        ),
    ];
    for (label, holds, mentions_legal_action, code) in cases {
        let channel = if label.ends_with("letter") { Channel::Letter } else { Channel::Call };
        let request = ContactRequest { channel, at, phone: None, mentions_legal_action };
        let result = eligibility(&request, &debtor, &holds, &[], &policy());
        assert!(!result.allowed, "{label}");
        assert_eq!(codes(&result), vec![code], "{label}");
        assert_eq!(result.next_allowed_at, None, "{label}");
    }
}

#[test]
fn time_barred_alone_allows_contact() {
    let holds = AccountHolds { time_barred: true, ..AccountHolds::default() };
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);

    let result = eligibility(&request(Channel::Call, at), &chicago_debtor(), &holds, &[], &policy());

    assert!(result.allowed, "{:?}", result.reasons);
}

#[test]
fn cease_on_one_channel_leaves_others() {
    let holds = AccountHolds { cease_channels: vec![Channel::Sms], ..AccountHolds::default() };
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);

    let call = eligibility(&request(Channel::Call, at), &chicago_debtor(), &holds, &[], &policy());
    let text = eligibility(&request(Channel::Sms, at), &chicago_debtor(), &holds, &[], &policy());

    assert!(call.allowed, "{:?}", call.reasons);
    assert_eq!(codes(&text), vec![ReasonCode::CeaseRequested]);
    assert_eq!(text.reasons[0].message, "The debtor asked the collector to stop contact by text message.");
}

#[test]
fn several_reasons_all_listed() {
    let holds = AccountHolds {
        cease_all: true,
        disputed: true,
        bankruptcy: true,
        deceased: true,
        manager_hold: true,
        time_barred: true,
        ..AccountHolds::default()
    };
    let debtor = contact(
        Some(address("US", Some("IL"), Some("60601"))),
        vec![Phone { e164: "+13125550100".to_string(), valid: true, do_not_call: true }],
    );
    let at = local(CHICAGO, 2026, 1, 14, 22, 0);
    let request = ContactRequest { channel: Channel::Call, at, phone: None, mentions_legal_action: true };

    let result = eligibility(&request, &debtor, &holds, &[], &policy());

    assert_eq!(
        codes(&result),
        vec![
            ReasonCode::CeaseRequested,
            ReasonCode::Disputed,
            ReasonCode::Bankruptcy,
            ReasonCode::Deceased,
            ReasonCode::DoNotCall,
            ReasonCode::ManagerHold,
            ReasonCode::TimeBarred,
            ReasonCode::OutsideContactWindow,
        ]
    );
    assert_eq!(result.next_allowed_at, None);
}

#[test]
fn do_not_call_per_number() {
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);
    let blocked = Phone { e164: "+13125550100".to_string(), valid: true, do_not_call: true };
    let open = phone("+13125550199");
    let invalid = Phone { e164: "+13125550111".to_string(), valid: false, do_not_call: false };
    let address = Some(address("US", Some("IL"), Some("60601")));

    let cases: [(&str, Vec<Phone>, Channel, Option<&str>, Option<ReasonCode>); 8] = [
        (
            "requested number marked",
            vec![blocked.clone(), open.clone()],
            Channel::Call,
            Some("+13125550100"),
            Some(ReasonCode::DoNotCall),
        ),
        (
            "text to marked number",
            vec![blocked.clone(), open.clone()],
            Channel::Sms,
            Some("+1 312 555 0100"),
            Some(ReasonCode::DoNotCall),
        ),
        ("other number free", vec![blocked.clone(), open.clone()], Channel::Call, Some("+13125550199"), None),
        ("any number, one free", vec![blocked.clone(), open.clone()], Channel::Call, None, None),
        (
            "every valid number marked",
            vec![blocked.clone(), invalid.clone()],
            Channel::Call,
            None,
            Some(ReasonCode::DoNotCall),
        ),
        ("no valid number", vec![invalid.clone()], Channel::Sms, None, Some(ReasonCode::NoValidChannel)),
        (
            "requested number invalid",
            vec![invalid.clone(), open.clone()],
            Channel::Call,
            Some("+13125550111"),
            Some(ReasonCode::NoValidChannel),
        ),
        (
            "requested number unknown",
            vec![open.clone()],
            Channel::Call,
            Some("+13125550000"),
            Some(ReasonCode::NoValidChannel),
        ),
    ];
    for (label, phones, channel, requested, code) in cases {
        let debtor = contact(address.clone(), phones);
        let request =
            ContactRequest { channel, at, phone: requested.map(str::to_string), mentions_legal_action: false };
        let result = eligibility(&request, &debtor, &AccountHolds::default(), &[], &policy());
        assert_eq!(codes(&result), code.into_iter().collect::<Vec<_>>(), "{label}");
        let expected_next = if code.is_some() { None } else { Some(at) };
        assert_eq!(result.next_allowed_at, expected_next, "{label}");
    }
}

#[test]
fn letters_and_emails_need_valid_channel() {
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);
    let undeliverable = Address { deliverable: false, ..address("US", Some("IL"), Some("60601")) };
    let opted_out = EmailStatus { valid: true, opted_out: true };
    let invalid_email = EmailStatus { valid: false, opted_out: false };

    let cases: [(&str, ContactDetails, Channel); 4] = [
        ("letter, undeliverable", ContactDetails { address: Some(undeliverable), ..chicago_debtor() }, Channel::Letter),
        ("letter, no address", ContactDetails { address: None, ..chicago_debtor() }, Channel::Letter),
        (
            "email, opted out or invalid",
            ContactDetails { emails: vec![opted_out, invalid_email], ..chicago_debtor() },
            Channel::Email,
        ),
        ("email, none", ContactDetails { emails: vec![], ..chicago_debtor() }, Channel::Email),
    ];
    for (label, debtor, channel) in cases {
        let result = check(channel, at, &debtor);
        assert_eq!(codes(&result), vec![ReasonCode::NoValidChannel], "{label}");
        assert_eq!(result.next_allowed_at, None, "{label}");
    }
}

#[test]
fn window_applies_per_channel() {
    let night = local(CHICAGO, 2026, 1, 14, 3, 0);
    let opening = local(CHICAGO, 2026, 1, 14, 8, 0);
    let cases = [
        (Channel::Letter, true, night),
        (Channel::Email, false, opening),
        (Channel::Sms, false, opening),
        (Channel::Call, false, opening),
    ];
    for (channel, allowed, next) in cases {
        let result = check(channel, night, &chicago_debtor());
        assert_eq!(result.allowed, allowed, "{}", channel.as_str());
        assert_eq!(result.next_allowed_at, Some(next), "{}", channel.as_str());
    }

    let email = check(Channel::Email, night, &chicago_debtor());
    assert!(
        email.reasons[0].message.contains("emails are allowed from 08:00 to 21:00"),
        "{}",
        email.reasons[0].message
    );
}

#[test]
fn messages_contain_no_personal_data() {
    let holds = AccountHolds {
        cease_all: true,
        disputed: true,
        bankruptcy: true,
        deceased: true,
        manager_hold: true,
        time_barred: true,
        ..AccountHolds::default()
    };
    let history = vec![Attempt {
        at: local(CHICAGO, 2026, 1, 13, 10, 0),
        channel: Channel::Call,
        direction: Direction::Outbound,
        conversation: true,
    }];
    let debtor = chicago_debtor();
    for channel in Channel::ALL {
        let request = ContactRequest {
            channel,
            at: local(CHICAGO, 2026, 1, 14, 22, 0),
            phone: Some("+13125550100".to_string()),
            mentions_legal_action: true,
        };
        let result = eligibility(&request, &debtor, &holds, &history, &policy());
        for reason in &result.reasons {
            for private in ["5550100", "312", "60601", "IL"] {
                assert!(!reason.message.contains(private), "{}: {}", reason.code, reason.message);
            }
        }
    }
}

#[test]
fn reason_codes_match_documented_list() {
    let names: Vec<&str> = ReasonCode::ALL.iter().map(|code| code.as_str()).collect();
    assert_eq!(
        names,
        [
            "outside_contact_window",
            "frequency_cap",
            "recent_conversation",
            "cease_requested",
            "disputed",
            "bankruptcy",
            "deceased",
            "do_not_call",
            "manager_hold",
            "time_barred",
            "limitation_unknown",
            "no_valid_channel",
        ]
    );
    let time_based: Vec<ReasonCode> = ReasonCode::ALL.into_iter().filter(|code| code.is_time_based()).collect();
    assert_eq!(
        time_based,
        [ReasonCode::OutsideContactWindow, ReasonCode::FrequencyCap, ReasonCode::RecentConversation]
    );
}

#[test]
fn phone_table_lookups() {
    let cases: [(&str, Option<(&str, Vec<Tz>)>); 10] = [
        ("+12125550100", Some(("US", vec![NEW_YORK]))),
        ("+13125550100", Some(("US", vec![CHICAGO]))),
        ("+13035550100", Some(("US", vec![DENVER]))),
        ("+16025550100", Some(("US", vec![PHOENIX]))),
        ("+19155550100", Some(("US", vec![DENVER]))),
        ("+18505550100", Some(("US", vec![NEW_YORK, CHICAGO]))),
        ("+447700900123", Some(("GB", vec![LONDON]))),
        ("+919820000000", Some(("IN", vec![KOLKATA]))),
        ("+19995550100", None),
        ("3125550100", None),
    ];
    for (number, expected) in cases {
        let found = zones_for_phone(number).map(|hint| (hint.country, hint.zones));
        assert_eq!(found, expected, "{number}");
    }

    let hawaii = zones_for_phone("+18085550100").expect("808 is in the table");
    assert_eq!(hawaii.zones, vec![chrono_tz::Pacific::Honolulu]);
    let alaska = zones_for_phone("+19075550100").expect("907 is in the table");
    assert_eq!(alaska.zones, vec![chrono_tz::America::Anchorage, chrono_tz::America::Adak]);
}

#[test]
fn address_table_lookups() {
    let cases: [(&str, Option<&str>, Option<&str>, Vec<Tz>); 10] = [
        ("US", Some("TX"), Some("79901"), vec![DENVER]),
        ("US", Some("TX"), Some("88510"), vec![DENVER]),
        ("US", Some("TX"), Some("79855"), vec![CHICAGO, DENVER]),
        ("US", Some("TX"), Some("75201-1234"), vec![CHICAGO]),
        ("US", Some("tx"), None, vec![CHICAGO, DENVER]),
        ("US", Some("FL"), Some("32501"), vec![CHICAGO]),
        ("US", Some("MI"), Some("49801"), vec![chrono_tz::America::Detroit, chrono_tz::America::Menominee]),
        ("CA", Some("ON"), Some("M5V 2T6"), vec![chrono_tz::America::Toronto]),
        ("uk", None, None, vec![LONDON]),
        ("PR", None, None, vec![chrono_tz::America::Puerto_Rico]),
    ];
    for (country, region, postal_code, expected) in cases {
        let hint = zones_for_address(&address(country, region, postal_code)).expect("country is in the table");
        assert_eq!(hint.zones, expected, "{country} {region:?} {postal_code:?}");
    }

    let unknown_state = zones_for_address(&address("US", Some("ZZ"), None)).expect("US is in the table");
    assert!(unknown_state.zones.contains(&chrono_tz::Pacific::Honolulu));
    assert!(unknown_state.zones.contains(&chrono_tz::America::Puerto_Rico));
    assert!(zones_for_address(&address("ES", None, None)).is_none());
}

#[test]
fn location_fallback_and_uncertainty() {
    let nothing = ContactDetails::default();
    let location = resolve_location(&nothing, CHICAGO, Some("us"));
    assert_eq!(location.zones, vec![PossibleZone { zone: CHICAGO, country: Some("US".to_string()) }]);
    assert!(location.uncertain);

    let spain = contact(Some(address("ES", None, None)), vec![]);
    let location = resolve_location(&spain, chrono_tz::Europe::Madrid, Some("US"));
    assert_eq!(location.zones, vec![PossibleZone { zone: chrono_tz::Europe::Madrid, country: Some("ES".to_string()) }]);

    let unknown_area_code = contact(Some(address("US", Some("IL"), None)), vec![phone("+19995550100")]);
    let location = resolve_location(&unknown_area_code, NEW_YORK, None);
    assert_eq!(location.time_zones(), vec![CHICAGO]);
    assert!(location.uncertain);

    let certain = resolve_location(&chicago_debtor(), NEW_YORK, None);
    assert_eq!(certain.time_zones(), vec![CHICAGO]);
    assert!(!certain.uncertain);

    // A toll-free number alone still places the debtor in North America,
    // not in the creditor's zone.
    let toll_free = contact(None, vec![phone("+18002345678")]);
    let location = resolve_location(&toll_free, chrono_tz::UTC, None);
    let zones = location.time_zones();
    assert!(location.uncertain);
    assert!(zones.contains(&chrono_tz::Pacific::Honolulu), "{zones:?}");
    assert!(zones.contains(&chrono_tz::America::St_Johns), "{zones:?}");
    assert!(!zones.contains(&chrono_tz::UTC), "{zones:?}");
    assert!(!zones.contains(&chrono_tz::Pacific::Guam), "{zones:?}");
}

#[test]
fn toll_free_number_waits_for_hawaii() {
    let debtor = contact(None, vec![phone("+18002345678")]);
    // 09:00 in New York is 04:00 in Honolulu.
    let early = check(Channel::Call, local(NEW_YORK, 2026, 1, 14, 9, 0), &debtor);
    assert!(!early.allowed);
    assert_eq!(codes(&early), vec![ReasonCode::OutsideContactWindow]);
    // 15:00 in New York is 10:00 in Honolulu and 16:30 in St. John's.
    let afternoon = check(Channel::Call, local(NEW_YORK, 2026, 1, 14, 15, 0), &debtor);
    assert!(afternoon.allowed, "{:?}", afternoon.reasons);
}

#[test]
fn no_location_uses_default_zone() {
    let debtor = contact(None, vec![]);
    let at = local(CHICAGO, 2026, 1, 14, 7, 30);
    let result = check(Channel::Email, at, &debtor);

    // New York is the policy's default zone, where it is already 08:30.
    assert!(result.allowed, "{:?}", result.reasons);
}

#[test]
fn limitation_unknown_blocks_only_legal_content() {
    let holds = AccountHolds { limitation_unknown: true, ..AccountHolds::default() };
    let debtor = chicago_debtor();
    let at = local(CHICAGO, 2026, 1, 14, 12, 0);
    for (legal, expected) in [(false, vec![]), (true, vec![ReasonCode::LimitationUnknown])] {
        let request = ContactRequest { channel: Channel::Letter, at, phone: None, mentions_legal_action: legal };
        let result = eligibility(&request, &debtor, &holds, &[], &policy());
        let codes: Vec<ReasonCode> = result.reasons.iter().map(|reason| reason.code).collect();
        assert_eq!(codes, expected, "legal content: {legal}");
    }
    let both = AccountHolds { time_barred: true, limitation_unknown: true, ..AccountHolds::default() };
    let request = ContactRequest { channel: Channel::Letter, at, phone: None, mentions_legal_action: true };
    let codes: Vec<ReasonCode> = eligibility(&request, &debtor, &both, &[], &policy()).reasons.iter().map(|r| r.code).collect();
    assert_eq!(codes, vec![ReasonCode::TimeBarred], "a known bar is named, not the unknown rule");
}
